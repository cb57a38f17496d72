// A candidate's checks and score (detector.py's contract): edges, context, the recognizer's
// remembered checks, the explanation. Cheap refusals come first: checks cost more than a
// context look-up, so a candidate that cannot reach min_score is never checked.
#include <algorithm>

#include "finder.h"

namespace finder {
namespace {

// A context word found near a value, and what it adds.
struct Near {
  PyObject* word = nullptr;
  double boost = 0.0;
  bool keyed = false;  // in the near window before the value: a key or a label
  ~Near() { Py_XDECREF(word); }
};

// recognizer.context_near: false with an exception set on error.
bool context_near(const Entry& e, PyObject* text, Py_ssize_t start, Py_ssize_t end, bool lines,
                  Near* out) {
  Py_CLEAR(out->word);
  out->keyed = false;
  if (e.words == nullptr) return true;
  std::string word;
  const auto& words = *reinterpret_cast<ContextObject*>(e.words)->words;
  const Seen seen = find_context(words, text, start, end, lines, &word);
  if (seen == Seen::kNone) return true;
  if (seen != Seen::kBeyondAscii) {
    out->word = PyUnicode_FromStringAndSize(word.data(), static_cast<Py_ssize_t>(word.size()));
    out->boost = seen == Seen::kFar ? e.boost / 2 : e.boost;
    out->keyed = seen == Seen::kBefore;
    return out->word != nullptr;
  }
  PyObject* found = PyObject_CallMethod(e.recognizer, "context_near", "OnnO", text, start, end,
                                        lines ? Py_True : Py_False);
  if (found == nullptr) return false;
  bool ok = true;
  if (found != Py_None) {
    PyObject *word, *boost;
    int keyed;
    ok = PyArg_ParseTuple(found, "OOp", &word, &boost, &keyed);
    if (ok) {
      out->boost = PyFloat_AsDouble(boost);
      ok = !PyErr_Occurred();
    }
    if (ok) {  // borrowed from `found` until now
      Py_INCREF(word);
      out->word = word;
      out->keyed = keyed != 0;
    }
  }
  Py_DECREF(found);
  return ok;
}

// Whether text[start:end] holds a match of `screen` (Pattern.screen): 1, 0, or -1 with an
// exception set. An ASCII text's characters are its UTF-8 bytes, read in place.
int holds(const re2::RE2& screen, PyObject* text, Py_ssize_t start, Py_ssize_t end) {
  if (PyUnicode_IS_ASCII(text)) {
    const char* data = static_cast<const char*>(PyUnicode_DATA(text));
    return re2::RE2::PartialMatch(re2::StringPiece(data + start, end - start), screen);
  }
  PyObject* value = PyUnicode_Substring(text, start, end);
  if (value == nullptr) return -1;
  Py_ssize_t size;
  const char* data = PyUnicode_AsUTF8AndSize(value, &size);
  const int held =
      data == nullptr ? -1 : re2::RE2::PartialMatch(re2::StringPiece(data, size), screen);
  Py_DECREF(value);
  return held;
}

bool is_glue(Py_UCS4 c) { return c == '.' || c == '_' || c == '-' || c == '/'; }

// A network's prefix length after an address (`192.0.2.2/24`): one or two digits after a
// `/`, then nothing glued.
bool prefix_at(PyObject* text, Py_ssize_t at) {
  const Py_ssize_t size = PyUnicode_GET_LENGTH(text);
  if (PyUnicode_READ_CHAR(text, at) != '/') return false;
  Py_ssize_t digits = 0;
  while (at + 1 + digits < size && digits < 3 &&
         Py_UNICODE_ISDECIMAL(PyUnicode_READ_CHAR(text, at + 1 + digits)))
    ++digits;
  if (digits == 0 || digits > 2) return false;
  const Py_ssize_t next = at + 1 + digits;
  if (next == size) return true;
  const Py_UCS4 c = PyUnicode_READ_CHAR(text, next);
  return !Py_UNICODE_ISALNUM(c) && !is_glue(c);
}

// A match run into more of the same (`1.2.3.4.5`, `123-45-6789-1`), after its end or
// before its start.
bool glued_after(PyObject* text, Py_ssize_t end) {
  return end + 2 <= PyUnicode_GET_LENGTH(text) && is_glue(PyUnicode_READ_CHAR(text, end)) &&
         Py_UNICODE_ISALNUM(PyUnicode_READ_CHAR(text, end + 1)) && !prefix_at(text, end);
}

bool glued_before(PyObject* text, Py_ssize_t start) {
  return start >= 2 && is_glue(PyUnicode_READ_CHAR(text, start - 1)) &&
         Py_UNICODE_ISALNUM(PyUnicode_READ_CHAR(text, start - 2));
}

// f(text, at) is true: -1 on an error. Vectorcall, with no format to read and no tuple to
// build for each value.
int asks(PyObject* f, PyObject* text, Py_ssize_t at) {
  PyObject* where = PyLong_FromSsize_t(at);
  if (where == nullptr) return -1;
  PyObject* args[] = {text, where};
  PyObject* answer = PyObject_Vectorcall(f, args, 2, nullptr);
  Py_DECREF(where);
  const int yes = answer == nullptr ? -1 : PyObject_IsTrue(answer);
  Py_XDECREF(answer);
  return yes;
}

bool uses_leet(const Constants& k, PyObject* text, Py_ssize_t start, Py_ssize_t end) {
  for (Py_ssize_t i = start; i < end; ++i)
    if (k.leet.find(PyUnicode_READ_CHAR(text, i)) != std::u32string::npos) return true;
  return false;
}

// Appends `item` (a new reference) to `list`, false on error.
bool append(PyObject* list, PyObject* item) {
  if (item == nullptr) return false;
  const int failed = PyList_Append(list, item);
  Py_DECREF(item);
  return failed == 0;
}

PyObject* explained(const Entry& e, PyObject* why, const Near& context,
                    bool with_context, bool leet) {
  PyObject* notes = PyList_New(0);
  if (notes == nullptr) return nullptr;
  Py_INCREF(e.note);
  bool ok = append(notes, e.note);
  const int has_why = ok ? PyObject_IsTrue(why) : 0;
  ok = ok && has_why >= 0;
  if (ok && has_why) {
    Py_INCREF(why);
    ok = append(notes, why);
  }
  if (ok && with_context) {
    char* boost = PyOS_double_to_string(context.boost, 'f', 2, 0, nullptr);
    ok = boost != nullptr && append(notes, PyUnicode_FromFormat("context '%U' +%s", context.word, boost));
    PyMem_Free(boost);
  }
  if (ok && leet) ok = append(notes, PyUnicode_FromString("keyword in leetspeak"));
  PyObject* separator = ok ? PyUnicode_FromString("; ") : nullptr;
  PyObject* out = separator ? PyUnicode_Join(separator, notes) : nullptr;
  Py_XDECREF(separator);
  Py_DECREF(notes);
  return out;
}

}  // namespace

PyObject* assess(const Entry& e, const Constants& k, PyObject* text, Py_ssize_t start,
                 Py_ssize_t end, Py_ssize_t key_start, Py_ssize_t key_end, double min_score,
                 bool lines) {
  // A shorter end a recognizer's checks keep (Edges::kValue) keeps the match's start.
  if (e.edges != Edges::kFree && glued_before(text, start)) Py_RETURN_NONE;
  if (e.edges == Edges::kMatch && glued_after(text, end)) Py_RETURN_NONE;
  Near context;
  if (e.ceiling < min_score) {
    if (!context_near(e, text, start, end, lines, &context)) return nullptr;
    if (context.word == nullptr || e.ceiling + context.boost < min_score) Py_RETURN_NONE;
  }
  if (e.screen != nullptr) {
    const int held = holds(*e.screen, text, start, end);
    if (held < 0) return nullptr;
    if (held == 0) Py_RETURN_NONE;
  }
  if (e.place != nullptr) {  // asked before the checks: it refuses most values of a regex
    // another recognizer runs too (Pattern.place)
    const int yes = asks(e.place, text, start);
    if (yes < 0) return nullptr;
    if (yes == 0) Py_RETURN_NONE;
  }
  PyObject* value = PyUnicode_Substring(text, start, end);
  if (value == nullptr) return nullptr;
  PyObject* verdict = PyObject_CallOneArg(e.check, value);
  Py_DECREF(value);
  if (verdict == nullptr || verdict == Py_None) return verdict;
  // From here on `verdict` owns what these borrow.
  // (score, why) for the whole value, or (start, end, (score, why)) for the span kept.
  Py_ssize_t a = 0, b = end - start;
  PyObject *checked, *why;
  const bool whole = PyTuple_Check(verdict) && PyTuple_GET_SIZE(verdict) == 2;
  if (whole ? !PyArg_ParseTuple(verdict, "OO", &checked, &why)
            : !PyArg_ParseTuple(verdict, "nn(OO)", &a, &b, &checked, &why)) {
    Py_DECREF(verdict);
    return nullptr;
  }
  const double checked_score = PyFloat_AsDouble(checked);
  const Py_ssize_t value_start = start + a, value_end = start + b;
  if (e.edges == Edges::kValue && (glued_before(text, value_start) || glued_after(text, value_end))) {
    Py_DECREF(verdict);
    Py_RETURN_NONE;
  }
  PyObject* score = nullptr;  // a new reference once decided
  PyObject* hit = nullptr;
  if (!PyErr_Occurred() && checked_score < 1.0) {
    if (context.word == nullptr) {
      if (checked_score + e.boost < min_score) {
        Py_DECREF(verdict);
        Py_RETURN_NONE;
      }
      if (!context_near(e, text, value_start, value_end, lines, &context)) {
        Py_DECREF(verdict);
        return nullptr;
      }
    }
    if (context.word != nullptr) score = PyFloat_FromDouble(std::min(1.0, checked_score + context.boost));
  }
  if (PyErr_Occurred()) {
    Py_DECREF(verdict);
    return nullptr;
  }
  if (score == nullptr) {
    score = checked;
    Py_INCREF(score);
  }
  if (PyFloat_AsDouble(score) < min_score) {
    Py_DECREF(score);
    Py_DECREF(verdict);
    Py_RETURN_NONE;
  }
  if (e.refuse != nullptr) {  // its place refuses it (Recognizer.refused), asked last: it
    // is Python, and most values below the score never reach it
    const int yes = asks(e.refuse, text, value_start);
    if (yes != 0) {
      Py_DECREF(score);
      Py_DECREF(verdict);
      if (yes < 0) return nullptr;
      Py_RETURN_NONE;
    }
  }
  const bool leet = key_start >= 0 && uses_leet(k, text, key_start, key_end);
  PyObject* layer = leet ? k.normalisation : e.layer;
  PyObject* evasion = leet ? k.leetspeak : Py_None;
  PyObject* why_text =
      explained(e, why, context, context.word != nullptr && checked_score < 1.0, leet);
  PyObject* found = PyUnicode_Substring(text, value_start, value_end);
  PyObject* from = PyLong_FromSsize_t(value_start);
  PyObject* to = PyLong_FromSsize_t(value_end);
  if (why_text != nullptr && found != nullptr && from != nullptr && to != nullptr) {
    PyObject* keyed = context.word != nullptr && context.keyed ? Py_True : Py_False;
    PyObject* args[] = {e.entity_type, from, to, found, score, layer, evasion, why_text, keyed};
    hit = PyObject_Vectorcall(k.hit, args, 9, nullptr);
  }
  Py_XDECREF(why_text);
  Py_XDECREF(found);
  Py_XDECREF(from);
  Py_XDECREF(to);
  Py_DECREF(score);
  Py_DECREF(verdict);
  return hit;
}

}  // namespace finder
