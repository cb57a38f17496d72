// The Python face of the compiled core: Finder (the detector's search and assessment),
// Context (a recognizer's context words) and error (what RE2 here refuses).
#include <algorithm>
#include <cstring>

#include "finder.h"

namespace finder {

re2::RE2::Options options_for(long max_mem) {
  re2::RE2::Options options;
  options.set_max_mem(max_mem);
  options.set_log_errors(false);
  return options;
}

namespace {

bool utf8(PyObject* str, std::string* out) {
  Py_ssize_t size;
  const char* data = PyUnicode_AsUTF8AndSize(str, &size);
  if (data == nullptr) return false;
  out->assign(data, size);
  return true;
}

PyObject* or_null(PyObject* object) { return object == Py_None ? nullptr : object; }

struct Finder {
  PyObject_HEAD
  Search* search;
  Constants* constants;
  PyObject* owned;  // what the entries borrow: the patterns, as a tuple, and the constants
};

bool add_sets(Search* search, PyObject* lists, const re2::RE2::Options& options) {
  std::string regex;
  for (Py_ssize_t k = 0; k < PyList_GET_SIZE(lists); ++k) {
    PyObject* list;
    const char* only = nullptr;  // ASCII characters a text must hold one of to run this Set
    if (!PyArg_ParseTuple(PyList_GET_ITEM(lists, k), "zO!", &only, &PyList_Type, &list))
      return false;
    if (only != nullptr && (*only == '\0' || std::any_of(only, only + std::strlen(only),
                                                         [](char c) { return (c & 0x80) != 0; }))) {
      PyErr_SetString(PyExc_ValueError, "a Set runs on text holding ASCII characters, or on all");
      return false;
    }
    auto set = std::make_unique<re2::RE2::Set>(options, re2::RE2::UNANCHORED);
    const Py_ssize_t n = PyList_GET_SIZE(list);
    for (Py_ssize_t i = 0; i < n; ++i) {
      std::string error;
      if (!utf8(PyList_GET_ITEM(list, i), &regex)) return false;
      if (set->Add(regex, &error) < 0) {
        PyErr_Format(PyExc_ValueError, "cannot add %s to a Set: %s", regex.c_str(), error.c_str());
        return false;
      }
    }
    if (!set->Compile()) {
      PyErr_SetString(PyExc_MemoryError, "cannot compile an RE2 Set");
      return false;
    }
    search->sentinel = static_cast<int>(n - 1);
    if (only != nullptr && only == kInside) search->inside = static_cast<int>(k);
    search->sets.push_back(std::move(set));
    search->runs_on.emplace_back(only == nullptr ? "" : only);
  }
  return true;
}

bool add_pattern(Pattern* p, PyObject* item, const re2::RE2::Options& options) {
  PyObject *source, *entries, *opening, *within;
  if (!PyArg_ParseTuple(item, "OO!OO", &source, &PyList_Type, &entries, &opening, &within))
    return false;
  if (source == Py_None) return true;
  if (within != Py_None && !PyArg_ParseTuple(within, "in", &p->within, &p->least)) return false;
  if (opening != Py_None) {
    std::string bytes;
    if (!utf8(opening, &bytes)) return false;
    for (const char b : bytes) {
      if (static_cast<unsigned char>(b) >= 0x80) {
        PyErr_SetString(PyExc_ValueError, "a pattern opens with ASCII characters, or any");
        return false;
      }
      p->opening[static_cast<unsigned char>(b)] = true;
    }
    p->opens = !bytes.empty();
  }
  std::string regex;
  if (!utf8(source, &regex)) return false;
  p->regex = std::make_unique<re2::RE2>(regex, options);
  if (!p->regex->ok()) {
    PyErr_Format(PyExc_ValueError, "bad pattern %s: %s", regex.c_str(), p->regex->error().c_str());
    return false;
  }
  const auto& named = p->regex->NamedCapturingGroups();
  const auto value = named.find("value"), key = named.find("key");
  p->value = value == named.end() ? 0 : value->second;
  p->key = key == named.end() ? 0 : key->second;
  if (std::max(p->value, p->key) >= kMaxGroups) {
    PyErr_Format(PyExc_ValueError, "%s: its value or key is group %d or later", regex.c_str(),
                 kMaxGroups);
    return false;
  }
  for (Py_ssize_t j = 0; j < PyList_GET_SIZE(entries); ++j) {
    Entry e;
    PyObject *trigger, *words, *recognizer, *note, *check, *entity_type, *layer, *refuse, *place;
    PyObject* screen;
    int edges, sieved;
    if (!PyArg_ParseTuple(PyList_GET_ITEM(entries, j), "diOiOOdOOOOOOOp", &e.ceiling,
                          &e.context, &trigger, &edges, &words, &recognizer, &e.boost, &note,
                          &check, &entity_type, &layer, &refuse, &place, &screen, &sieved))
      return false;
    e.sieved = sieved != 0;
    p->sieves = p->sieves || e.sieved;
    if (screen != Py_None) {
      std::string regex;
      if (!utf8(screen, &regex)) return false;
      e.screen = std::make_shared<re2::RE2>(regex, options);
      if (!e.screen->ok()) {
        PyErr_Format(PyExc_ValueError, "bad screen %s: %s", regex.c_str(),
                     e.screen->error().c_str());
        return false;
      }
    }
    e.trigger = or_null(trigger);
    if (edges < 0 || edges > 2) {
      PyErr_SetString(PyExc_ValueError, "edges is 0, 1 or 2");
      return false;
    }
    e.edges = static_cast<Edges>(edges);
    e.words = or_null(words);
    e.recognizer = recognizer;
    e.note = note;
    e.check = check;
    e.entity_type = entity_type;
    e.layer = layer;
    e.refuse = or_null(refuse);
    e.place = or_null(place);
    if (e.trigger == nullptr && !PyCallable_Check(check)) {
      PyErr_SetString(PyExc_TypeError, "a recognizer's entry needs its check");
      return false;
    }
    p->floor = std::min(p->floor, e.ceiling);
    p->entries.push_back(e);
  }
  return true;
}

// Finder(sets, patterns, max_mem, constants): `sets` holds, for each Set, the characters
// a text must hold one of for it to run (None: always; kHumps, kInside: see finder.h) and
// its patterns (a pattern's index is its place in every Set, the last the sentinel);
// `patterns` one tuple a Set index, (regex or None, [entry, ...], the ASCII characters
// every match opens with or None, (the pattern whose matches hold every match, the fewest
// bytes of one) or None), an entry (ceiling, context index, trigger or None, edges (see
// Edges), Context or None, recognizer, context boost, note, check, entity type, layer,
// refusal or None, place or None, screen or None, sieved: a trigger's spans count only
// where they may hide text); constants (Hit, normalisation layer, leetspeak characters).
int Finder_init(Finder* self, PyObject* args, PyObject*) {
  PyObject *lists, *patterns, *hit, *normalisation, *leet;
  long max_mem;
  if (self->search != nullptr) {  // another thread may be scanning with it, GIL released
    PyErr_SetString(PyExc_RuntimeError, "a Finder is initialised once");
    return -1;
  }
  if (!PyArg_ParseTuple(args, "O!O!l(OUU)", &PyList_Type, &lists, &PyList_Type, &patterns,
                        &max_mem, &hit, &normalisation, &leet))
    return -1;
  PyObject* owned = Py_BuildValue("(NOO)", PySequence_Tuple(patterns), hit, normalisation);
  if (owned == nullptr) return -1;
  auto search = std::make_unique<Search>();
  auto constants = std::make_unique<Constants>();
  const re2::RE2::Options options = options_for(max_mem);
  PyObject* items = PyTuple_GET_ITEM(owned, 0);
  bool ok = add_sets(search.get(), lists, options);
  search->patterns.resize(ok ? PyTuple_GET_SIZE(items) : 0);
  for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(items); ++i)
    ok = add_pattern(&search->patterns[i], PyTuple_GET_ITEM(items, i), options);
  for (size_t i = 0; ok && i < search->patterns.size(); ++i) {
    const int within = search->patterns[i].within;
    if (within < 0) continue;
    Pattern* outer = static_cast<size_t>(within) < search->patterns.size()
                         ? &search->patterns[within]
                         : nullptr;
    if (search->inside < 0 || outer == nullptr || !outer->regex || outer->within >= 0 ||
        outer->value != 0) {
      PyErr_SetString(PyExc_ValueError,
                      "a pattern is searched inside the whole matches of another, by a Set");
      ok = false;
    } else {
      outer->encloses = true;
    }
  }
  constants->hit = hit;
  constants->normalisation = normalisation;
  constants->leetspeak = PyUnicode_InternFromString("leetspeak");
  ok = ok && constants->leetspeak != nullptr;
  for (Py_ssize_t i = 0; ok && i < PyUnicode_GET_LENGTH(leet); ++i)
    constants->leet.push_back(PyUnicode_READ_CHAR(leet, i));
  if (!ok) {
    Py_DECREF(owned);
    return -1;
  }
  self->search = search.release();
  self->constants = constants.release();
  self->owned = owned;
  return 0;
}

void Finder_dealloc(Finder* self) {
  delete self->search;
  delete self->constants;
  Py_XDECREF(self->owned);
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

// Byte offsets in UTF-8 to character offsets, in one walk up to the last of them (a table
// of the whole text would cost 8 bytes a byte).
void to_characters(const char* data, std::vector<Candidate>* candidates) {
  std::vector<Py_ssize_t*> offsets;
  for (Candidate& c : *candidates)
    for (Py_ssize_t* offset : {&c.start, &c.end, &c.key_start, &c.key_end})
      if (*offset >= 0) offsets.push_back(offset);
  std::sort(offsets.begin(), offsets.end(), [](Py_ssize_t* a, Py_ssize_t* b) { return *a < *b; });
  Py_ssize_t byte = 0, chars = 0;
  for (Py_ssize_t* offset : offsets) {  // each still in bytes until its turn
    for (; byte < *offset; ++byte)
      if ((static_cast<unsigned char>(data[byte]) & 0xC0) != 0x80) ++chars;
    *offset = chars;
  }
}

// (a, b), taking both references; nullptr on an error (either of them null).
PyObject* pair(PyObject* a, PyObject* b) {
  PyObject* out = a != nullptr && b != nullptr ? PyTuple_New(2) : nullptr;
  if (out == nullptr) {
    Py_XDECREF(a);
    Py_XDECREF(b);
    return nullptr;
  }
  PyTuple_SET_ITEM(out, 0, a);
  PyTuple_SET_ITEM(out, 1, b);
  return out;
}

// Appends (start, end) to triggers[name], false on error.
bool add_trigger(PyObject* triggers, PyObject* name, Py_ssize_t start, Py_ssize_t end) {
  PyObject* spans = PyDict_GetItemWithError(triggers, name);
  if (spans == nullptr) {
    if (PyErr_Occurred()) return false;
    spans = PyList_New(0);
    if (spans == nullptr || PyDict_SetItem(triggers, name, spans) < 0) {
      Py_XDECREF(spans);
      return false;
    }
    Py_DECREF(spans);  // the dict holds it
  }
  PyObject* span = pair(PyLong_FromSsize_t(start), PyLong_FromSsize_t(end));
  const bool ok = span != nullptr && PyList_Append(spans, span) == 0;
  Py_XDECREF(span);
  return ok;
}

// scan(text, min_score, limit, lines=False) -> (hits, triggers, matches): the Hits of the
// recognizers' patterns, the spans of each trigger pattern by name, and how many matches
// were examined, counted no further than past `limit` (nothing is assessed then); with
// `lines`, context counts only on a value's line (a view's entry, see views.Listing).
// (Called once a text: its arguments are read by hand, with no tuple or format.)
PyObject* Finder_scan(Finder* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs < 3 || nargs > 4) {
    PyErr_SetString(PyExc_TypeError, "scan(text, min_score, limit, lines=False)");
    return nullptr;
  }
  PyObject* text = args[0];
  if (!PyUnicode_Check(text)) {
    PyErr_SetString(PyExc_TypeError, "scan's text must be a str");
    return nullptr;
  }
  const double min_score = PyFloat_AsDouble(args[1]);
  const long limit = PyLong_AsLong(args[2]);
  const int lines = nargs == 4 ? PyObject_IsTrue(args[3]) : 0;
  if (PyErr_Occurred() || lines < 0) return nullptr;
  if (self->search == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "Finder not initialised");
    return nullptr;
  }
  Py_ssize_t size;
  const char* data = PyUnicode_AsUTF8AndSize(text, &size);
  if (data == nullptr) return nullptr;
  std::vector<int> found;
  std::vector<Candidate> candidates;
  long count = 0;
  bool complete;
  Py_BEGIN_ALLOW_THREADS
  complete = self->search->find(re2::StringPiece(data, size), min_score, limit, &found,
                                &candidates, &count);
  Py_END_ALLOW_THREADS
  if (!PyUnicode_IS_ASCII(text)) to_characters(data, &candidates);
  PyObject* hits = PyList_New(0);
  PyObject* triggers = PyDict_New();
  bool ok = hits != nullptr && triggers != nullptr;
  const Search& search = *self->search;
  for (size_t i = 0; ok && count <= limit && i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    const Pattern& p = search.patterns[c.index];
    for (const Entry& e : p.entries) {
      if (!ok) break;
      if (p.floor < min_score && !search.live(e, found, complete, min_score)) continue;
      if (e.trigger != nullptr) {
        if (!(e.sieved && c.opaque)) ok = add_trigger(triggers, e.trigger, c.start, c.end);
        continue;
      }
      PyObject* hit = assess(e, *self->constants, text, c.start, c.end, c.key_start, c.key_end,
                             min_score, lines != 0);
      if (hit == nullptr) {
        ok = false;
      } else if (hit != Py_None) {
        ok = PyList_Append(hits, hit) == 0;
      }
      Py_XDECREF(hit);
    }
  }
  if (!ok) {
    Py_XDECREF(hits);
    Py_XDECREF(triggers);
    return nullptr;
  }
  PyObject* matches = PyLong_FromLong(count);
  PyObject* out = matches == nullptr ? nullptr : PyTuple_Pack(3, hits, triggers, matches);
  Py_DECREF(hits);
  Py_DECREF(triggers);
  Py_XDECREF(matches);
  return out;
}

PyMethodDef Finder_methods[] = {
    {"scan", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Finder_scan)),
     METH_FASTCALL, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

// Context(regex, far before, far after, near before, near after, labelled): `regex` finds
// a word (group 1, or 2 after a camel case hump) between its neighbours in the windows,
// each after a NUL; `labelled` matches a near window before a value, after its neighbour,
// that names another kind's value (recognizer.LABELLED; see context.cpp).
int Context_init(ContextObject* self, PyObject* args, PyObject*) {
  PyObject *pattern, *labelled;
  if (self->words != nullptr) {  // as for Finder
    PyErr_SetString(PyExc_RuntimeError, "a Context is initialised once");
    return -1;
  }
  auto words = std::make_unique<ContextWords>();
  if (!PyArg_ParseTuple(args, "UnnnnU", &pattern, &words->far_before, &words->far_after,
                        &words->near_before, &words->near_after, &labelled))
    return -1;
  std::string regex, label;
  if (!utf8(pattern, &regex) || !utf8(labelled, &label)) return -1;
  words->regex = std::make_unique<re2::RE2>(regex, options_for(8 << 20));
  words->labelled = std::make_unique<re2::RE2>(label, options_for(8 << 20));
  if (!words->regex->ok() || words->regex->NumberOfCapturingGroups() < 1 ||
      !words->labelled->ok()) {
    PyErr_Format(PyExc_ValueError, "bad context pattern %s or %s", regex.c_str(), label.c_str());
    return -1;
  }
  self->words = words.release();
  return 0;
}

void Context_dealloc(ContextObject* self) {
  delete self->words;
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

// find(text, start, end, lines=False) -> (word in lower case, whether in the near window,
// whether before the value there), None, or NotImplemented when a window holds more than
// ASCII; with `lines`, only on the value's line.
PyObject* Context_find(ContextObject* self, PyObject* args) {
  PyObject* text;
  Py_ssize_t start, end;
  int lines = 0;
  if (!PyArg_ParseTuple(args, "Unn|p", &text, &start, &end, &lines)) return nullptr;
  if (self->words == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "Context not initialised");
    return nullptr;
  }
  std::string word;
  const Seen seen = find_context(*self->words, text, start, end, lines != 0, &word);
  switch (seen) {
    case Seen::kNone:
      Py_RETURN_NONE;
    case Seen::kBeyondAscii:
      Py_RETURN_NOTIMPLEMENTED;
    case Seen::kBefore:
    case Seen::kNear:
    case Seen::kFar: {
      const bool before = seen == Seen::kBefore, near = before || seen == Seen::kNear;
      return Py_BuildValue("(s#OO)", word.data(), static_cast<Py_ssize_t>(word.size()),
                           near ? Py_True : Py_False, before ? Py_True : Py_False);
    }
  }
  Py_RETURN_NONE;
}

PyMethodDef Context_methods[] = {
    {"find", reinterpret_cast<PyCFunction>(Context_find), METH_VARARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

// error(pattern, max_mem) -> the reason RE2 here refuses `pattern`, or None. The binding
// (google-re2) may be a newer RE2 that accepts more: a custom rule must pass both.
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

// may_hide_text(token) -> whether an encoded-looking token may hide text (text.cpp).
PyObject* may_hide(PyObject*, PyObject* token) {
  Py_ssize_t size;
  const char* data = PyUnicode_AsUTF8AndSize(token, &size);
  if (data == nullptr) return nullptr;
  return PyBool_FromLong(may_hide_text(data, static_cast<size_t>(size)));
}

// shannon(text) -> its entropy in bits per character (entropy.cpp).
PyObject* entropy(PyObject*, PyObject* text) {
  if (!PyUnicode_Check(text)) {
    PyErr_SetString(PyExc_TypeError, "shannon() takes a str");
    return nullptr;
  }
  return PyFloat_FromDouble(shannon(text));
}

PyMethodDef functions[] = {
    {"error", error, METH_VARARGS, nullptr},
    {"may_hide_text", may_hide, METH_O, nullptr},
    {"shannon", entropy, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject FinderType = {PyVarObject_HEAD_INIT(nullptr, 0)};
PyTypeObject ContextType = {PyVarObject_HEAD_INIT(nullptr, 0)};
PyModuleDef module = {PyModuleDef_HEAD_INIT, "_finder", nullptr, -1, functions};

}  // namespace
}  // namespace finder

namespace finder {
namespace {

template <typename Object>
void describe(PyTypeObject* type, const char* name, int (*init)(Object*, PyObject*, PyObject*),
              void (*dealloc)(Object*), PyMethodDef* methods) {
  type->tp_name = name;
  type->tp_basicsize = sizeof(Object);
  type->tp_flags = Py_TPFLAGS_DEFAULT;
  type->tp_new = PyType_GenericNew;
  type->tp_init = reinterpret_cast<initproc>(init);
  type->tp_dealloc = reinterpret_cast<destructor>(dealloc);
  type->tp_methods = methods;
}

}  // namespace
}  // namespace finder

PyMODINIT_FUNC PyInit__finder() {
  using namespace finder;
  describe(&FinderType, "agentshield.engines.pii._finder.Finder", Finder_init, Finder_dealloc,
           Finder_methods);
  describe(&ContextType, "agentshield.engines.pii._finder.Context", Context_init,
           Context_dealloc, Context_methods);
  PyTypeObject* memo = memo_type();
  if (PyType_Ready(&FinderType) < 0 || PyType_Ready(&ContextType) < 0 || PyType_Ready(memo) < 0)
    return nullptr;
  PyObject* m = PyModule_Create(&module);
  if (m == nullptr) return nullptr;
  for (PyTypeObject* type : {&FinderType, &ContextType, memo}) {
    Py_INCREF(type);
    if (PyModule_AddObject(m, std::strrchr(type->tp_name, '.') + 1,
                           reinterpret_cast<PyObject*>(type)) < 0) {
      Py_DECREF(type);
      Py_DECREF(m);
      return nullptr;
    }
  }
  return m;
}
