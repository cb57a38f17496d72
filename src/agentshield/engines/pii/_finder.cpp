// The detector's candidate search in one call: both RE2 Sets, then every pattern they found
// run again to find where, each match's value and key spans returned at once.
//
// detector.py's Python path does the same through the google-re2 binding, one call a Set
// and one a match (each ~4k instructions of glue); this does it without the interpreter,
// with the GIL released. Its results are the Python path's, offsets in characters.

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Entry {
  double ceiling;  // the best score without context
  int context;     // the Set index of the recognizer's context words, -1 if none
};

struct Pattern {
  std::unique_ptr<re2::RE2> regex;  // null for an index that is only context words
  int value = 0;                    // the group reported (0: the whole match)
  int key = 0;                      // the keyword group, 0 if none
  double floor = 0.0;               // the lowest ceiling of its entries
  std::vector<Entry> entries;
};

struct Candidate {
  int index;
  long start, end, key_start, key_end;
};

struct Core {
  std::vector<std::unique_ptr<re2::RE2::Set>> sets;
  int sentinel = 0;  // the index of the always-matching last pattern of each Set
  std::vector<Pattern> patterns;

  // Whether a pattern found by the Sets has an entry that can reach min_score (see
  // Detector.run): one that can without context, or whose context words are present.
  bool live(const Pattern& p, const std::vector<int>& found, double min_score) const {
    if (p.floor >= min_score) return true;
    for (const Entry& e : p.entries) {
      if (e.ceiling >= min_score) return true;
      if (e.context >= 0 && std::binary_search(found.begin(), found.end(), e.context)) return true;
    }
    return false;
  }

  // Fills `found` (the Sets' matches, sorted) and `out`; false when a Set gave up (its DFA
  // ran out of memory), in which case every pattern ran. Stops past `limit` matches.
  bool find(re2::StringPiece text, double min_score, long limit, std::vector<int>* found,
            std::vector<Candidate>* out, long* count) const {
    std::vector<int> each;  // Match fills its vector anew
    for (const auto& set : sets) {
      set->Match(text, &each);
      found->insert(found->end(), each.begin(), each.end());
    }
    std::sort(found->begin(), found->end());
    size_t sentinels = std::count(found->begin(), found->end(), sentinel);
    bool complete = sentinels == sets.size();
    if (complete) {
      found->resize(found->size() - sentinels);
    } else {
      found->clear();
      for (size_t i = 0; i < patterns.size(); ++i) found->push_back(static_cast<int>(i));
    }
    std::vector<re2::StringPiece> groups;
    for (int index : *found) {
      if (index >= static_cast<int>(patterns.size())) continue;
      const Pattern& p = patterns[index];
      if (!p.regex || (complete && !live(p, *found, min_score))) continue;
      groups.resize(1 + p.regex->NumberOfCapturingGroups());
      size_t pos = 0;
      const size_t size = text.size();
      while (pos <= size) {
        if (!p.regex->Match(text, pos, size, re2::RE2::UNANCHORED, groups.data(),
                            static_cast<int>(groups.size())))
          break;
        if (++*count > limit) return complete;
        const re2::StringPiece& value = groups[p.value];
        if (value.data() != nullptr && !value.empty()) {
          Candidate c{index, value.data() - text.data(), value.data() - text.data() + static_cast<long>(value.size()), -1, -1};
          if (p.key) {
            const re2::StringPiece& key = groups[p.key];
            if (key.data() != nullptr) {
              c.key_start = key.data() - text.data();
              c.key_end = c.key_start + static_cast<long>(key.size());
            }
          }
          out->push_back(c);
        }
        size_t end = groups[0].data() - text.data() + groups[0].size();
        if (pos == size) break;
        if (end > pos) {
          pos = end;
        } else {  // an empty match: on by one character, as the binding's finditer goes
          do ++pos;
          while (pos < size && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80);
        }
      }
    }
    return complete;
  }
};

struct Finder {
  PyObject_HEAD
  Core* core;
};

re2::RE2::Options options_for(long max_mem) {
  re2::RE2::Options options;
  options.set_max_mem(max_mem);
  options.set_log_errors(false);
  return options;
}

bool utf8(PyObject* str, std::string* out) {
  Py_ssize_t size;
  const char* data = PyUnicode_AsUTF8AndSize(str, &size);
  if (data == nullptr) return false;
  out->assign(data, size);
  return true;
}

// Finder(sets, patterns, max_mem): `sets` holds each Set's patterns (a pattern's index is
// its place in every one, the last the sentinel); `patterns` one tuple a Set index,
// (regex or None, value group, key group, [(ceiling, context index), ...]).
int Finder_init(Finder* self, PyObject* args, PyObject*) {
  PyObject *lists, *patterns;
  long max_mem;
  if (!PyArg_ParseTuple(args, "O!O!l", &PyList_Type, &lists, &PyList_Type, &patterns, &max_mem))
    return -1;
  auto core = std::make_unique<Core>();
  re2::RE2::Options options = options_for(max_mem);
  std::string regex;
  for (Py_ssize_t k = 0; k < PyList_GET_SIZE(lists); ++k) {
    PyObject* list = PyList_GET_ITEM(lists, k);
    if (!PyList_Check(list)) {
      PyErr_SetString(PyExc_TypeError, "a Set's patterns must be a list");
      return -1;
    }
    auto set = std::make_unique<re2::RE2::Set>(options, re2::RE2::UNANCHORED);
    Py_ssize_t n = PyList_GET_SIZE(list);
    for (Py_ssize_t i = 0; i < n; ++i) {
      if (!utf8(PyList_GET_ITEM(list, i), &regex)) return -1;
      std::string error;
      if (set->Add(regex, &error) < 0) {
        PyErr_Format(PyExc_ValueError, "cannot add %s to a Set: %s", regex.c_str(), error.c_str());
        return -1;
      }
    }
    if (!set->Compile()) {
      PyErr_SetString(PyExc_MemoryError, "cannot compile an RE2 Set");
      return -1;
    }
    core->sentinel = static_cast<int>(n - 1);
    core->sets.push_back(std::move(set));
  }
  Py_ssize_t n = PyList_GET_SIZE(patterns);
  core->patterns.resize(n);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject *source, *entries;
    Pattern& p = core->patterns[i];
    if (!PyArg_ParseTuple(PyList_GET_ITEM(patterns, i), "OiiO!", &source, &p.value, &p.key,
                          &PyList_Type, &entries))
      return -1;
    if (source == Py_None) continue;
    if (!utf8(source, &regex)) return -1;
    p.regex = std::make_unique<re2::RE2>(regex, options);
    if (!p.regex->ok()) {
      PyErr_Format(PyExc_ValueError, "bad pattern %s: %s", regex.c_str(), p.regex->error().c_str());
      return -1;
    }
    p.floor = 1.0;
    for (Py_ssize_t j = 0; j < PyList_GET_SIZE(entries); ++j) {
      Entry e;
      if (!PyArg_ParseTuple(PyList_GET_ITEM(entries, j), "di", &e.ceiling, &e.context)) return -1;
      p.floor = std::min(p.floor, e.ceiling);
      p.entries.push_back(e);
    }
  }
  delete self->core;
  self->core = core.release();
  return 0;
}

void Finder_dealloc(Finder* self) {
  delete self->core;
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

// find(text, min_score, limit) -> (found or None, candidates, count): the Set indices that
// matched (None when a Set gave up and every pattern ran), (index, start, end, key start,
// key end) for each match with a non-empty value, and how many matches there were, which
// stops counting past `limit`.
PyObject* Finder_find(Finder* self, PyObject* args) {
  PyObject* text;
  double min_score;
  long limit;
  if (!PyArg_ParseTuple(args, "Udl", &text, &min_score, &limit)) return nullptr;
  if (self->core == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "Finder not initialised");
    return nullptr;
  }
  Py_ssize_t size;
  const char* data = PyUnicode_AsUTF8AndSize(text, &size);
  if (data == nullptr) return nullptr;
  bool ascii = PyUnicode_IS_ASCII(text);
  std::vector<int> found;
  std::vector<Candidate> candidates;
  long count = 0;
  bool complete;
  Py_BEGIN_ALLOW_THREADS
  complete = self->core->find(re2::StringPiece(data, size), min_score, limit, &found,
                              &candidates, &count);
  Py_END_ALLOW_THREADS
  std::vector<long> chars;  // byte offset to character offset, for text beyond ASCII
  if (!ascii) {
    chars.resize(size + 1);
    long n = 0;
    for (Py_ssize_t i = 0; i < size; ++i) {
      chars[i] = n;
      if ((static_cast<unsigned char>(data[i]) & 0xC0) != 0x80) ++n;
    }
    chars[size] = n;
  }
  auto at = [&](long offset) { return ascii || offset < 0 ? offset : chars[offset]; };
  PyObject* found_list = Py_None;
  Py_INCREF(Py_None);
  if (complete) {
    Py_DECREF(Py_None);
    found_list = PyList_New(found.size());
    if (found_list == nullptr) return nullptr;
    for (size_t i = 0; i < found.size(); ++i)
      PyList_SET_ITEM(found_list, i, PyLong_FromLong(found[i]));
  }
  PyObject* out = PyList_New(candidates.size());
  if (out == nullptr) {
    Py_DECREF(found_list);
    return nullptr;
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    PyObject* item = Py_BuildValue("(illll)", c.index, at(c.start), at(c.end), at(c.key_start),
                                   at(c.key_end));
    if (item == nullptr) {
      Py_DECREF(found_list);
      Py_DECREF(out);
      return nullptr;
    }
    PyList_SET_ITEM(out, i, item);
  }
  return Py_BuildValue("(NNl)", found_list, out, count);
}

// Context(regex, far before, far after, near before, near after): a recognizer's context
// words (group 1 of `regex`) around a value, in an ASCII text (recognizer.context_near).
struct Context {
  PyObject_HEAD
  re2::RE2* regex;
  Py_ssize_t far_before, far_after, near_before, near_after;
};

int Context_init(Context* self, PyObject* args, PyObject*) {
  PyObject* pattern;
  if (!PyArg_ParseTuple(args, "Unnnn", &pattern, &self->far_before, &self->far_after,
                        &self->near_before, &self->near_after))
    return -1;
  std::string regex;
  if (!utf8(pattern, &regex)) return -1;
  auto compiled = std::make_unique<re2::RE2>(regex, options_for(8 << 20));
  if (!compiled->ok() || compiled->NumberOfCapturingGroups() < 1) {
    PyErr_Format(PyExc_ValueError, "bad context pattern %s", regex.c_str());
    return -1;
  }
  delete self->regex;
  self->regex = compiled.release();
  return 0;
}

void Context_dealloc(Context* self) {
  delete self->regex;
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

// find(text, start, end) -> (word in lower case, whether near) or None; NotImplemented
// when a window holds more than ASCII (for `re`, which knows Unicode letters). One search
// over "near window NUL far window": the first word in the near window, else in the far
// one; NUL is no letter and in no word, so no word reaches across.
PyObject* Context_find(Context* self, PyObject* args) {
  PyObject* text;
  Py_ssize_t start, end;
  if (!PyArg_ParseTuple(args, "Unn", &text, &start, &end)) return nullptr;
  if (self->regex == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "Context not initialised");
    return nullptr;
  }
  const int kind = PyUnicode_KIND(text);
  const void* data = PyUnicode_DATA(text);
  const Py_ssize_t size = PyUnicode_GET_LENGTH(text);
  start = std::clamp<Py_ssize_t>(start, 0, size);
  end = std::clamp<Py_ssize_t>(end, start, size);
  const Py_ssize_t from = std::max<Py_ssize_t>(0, start - self->far_before);
  const Py_ssize_t to = std::min(size, end + self->far_after);
  std::string both;
  auto add = [&](Py_ssize_t a, Py_ssize_t b) {
    for (Py_ssize_t i = a; i < b; ++i) {
      Py_UCS4 c = PyUnicode_READ(kind, data, i);
      if (c > 127) return false;
      both.push_back(static_cast<char>(c));
    }
    return true;
  };
  bool ascii = add(std::max(from, start - self->near_before), start);
  both.push_back(' ');
  ascii = ascii && add(end, std::min(to, end + self->near_after));
  const size_t near = both.size();
  both.push_back('\0');
  ascii = ascii && add(from, start);
  both.push_back(' ');
  ascii = ascii && add(end, to);
  if (!ascii) Py_RETURN_NOTIMPLEMENTED;
  re2::StringPiece groups[2];
  if (!self->regex->Match(both, 0, both.size(), re2::RE2::UNANCHORED, groups, 2) ||
      groups[1].data() == nullptr)
    Py_RETURN_NONE;
  std::string word(groups[1].data(), groups[1].size());
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool is_near = static_cast<size_t>(groups[1].data() - both.data()) < near;
  return Py_BuildValue("(s#O)", word.data(), static_cast<Py_ssize_t>(word.size()),
                       is_near ? Py_True : Py_False);
}

PyMethodDef Context_methods[] = {
    {"find", reinterpret_cast<PyCFunction>(Context_find), METH_VARARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject ContextType = {PyVarObject_HEAD_INIT(nullptr, 0)};

// error(pattern, max_mem) -> the reason RE2 refuses `pattern` as the finder compiles it,
// or None. The binding may be a newer RE2 that accepts more: a custom rule must pass both.
PyObject* error(PyObject*, PyObject* args) {
  PyObject* pattern;
  long max_mem;
  if (!PyArg_ParseTuple(args, "Ul", &pattern, &max_mem)) return nullptr;
  std::string regex;
  if (!utf8(pattern, &regex)) return nullptr;
  re2::RE2 compiled(regex, options_for(max_mem));
  if (compiled.ok()) Py_RETURN_NONE;
  return PyUnicode_FromString(compiled.error().c_str());
}

PyMethodDef functions[] = {
    {"error", error, METH_VARARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyMethodDef Finder_methods[] = {
    {"find", reinterpret_cast<PyCFunction>(Finder_find), METH_VARARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject FinderType = {PyVarObject_HEAD_INIT(nullptr, 0)};

PyModuleDef module = {PyModuleDef_HEAD_INIT, "_finder", nullptr, -1, functions};

}  // namespace

PyMODINIT_FUNC PyInit__finder() {
  FinderType.tp_name = "agentshield.engines.pii._finder.Finder";
  FinderType.tp_basicsize = sizeof(Finder);
  FinderType.tp_flags = Py_TPFLAGS_DEFAULT;
  FinderType.tp_new = PyType_GenericNew;
  FinderType.tp_init = reinterpret_cast<initproc>(Finder_init);
  FinderType.tp_dealloc = reinterpret_cast<destructor>(Finder_dealloc);
  FinderType.tp_methods = Finder_methods;
  ContextType.tp_name = "agentshield.engines.pii._finder.Context";
  ContextType.tp_basicsize = sizeof(Context);
  ContextType.tp_flags = Py_TPFLAGS_DEFAULT;
  ContextType.tp_new = PyType_GenericNew;
  ContextType.tp_init = reinterpret_cast<initproc>(Context_init);
  ContextType.tp_dealloc = reinterpret_cast<destructor>(Context_dealloc);
  ContextType.tp_methods = Context_methods;
  if (PyType_Ready(&FinderType) < 0 || PyType_Ready(&ContextType) < 0) return nullptr;
  PyObject* m = PyModule_Create(&module);
  if (m == nullptr) return nullptr;
  for (PyTypeObject* type : {&FinderType, &ContextType}) {
    Py_INCREF(type);
    if (PyModule_AddObject(m, strrchr(type->tp_name, '.') + 1, reinterpret_cast<PyObject*>(type)) < 0) {
      Py_DECREF(type);
      Py_DECREF(m);
      return nullptr;
    }
  }
  return m;
}
