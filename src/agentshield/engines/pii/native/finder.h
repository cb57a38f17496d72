// The PII detector's compiled core (module agentshield.engines.pii._finder): what
// detector.py did per candidate in Python, where the interpreter cost more than the work.
//
//   search.cpp   the RE2 Sets, then each pattern they found, for candidate spans
//   context.cpp  a recognizer's context words near a value
//   assess.cpp   a candidate's checks and score: a Hit, or nothing
//   memo.cpp     the Python type Memo: a check's verdicts, remembered
//   module.cpp   the Python types (Finder, Context) and `error`
//
// Offsets handed to Python are in characters, as str indexes them.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <re2/re2.h>
#include <re2/set.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace finder {

// A Set's condition: a key in the text (the name before a `:`, `=` or `>`) holds a small
// letter then a capital (a camel case hump, `homePhone:`), not one of the condition's
// characters (search.cpp).
inline const std::string kHumps = "\x01";
// The Set of the patterns searched inside another's matches (Pattern::within): it runs on
// each of those matches, not on the text.
inline const std::string kInside = "\x02";

re2::RE2::Options options_for(long max_mem);

// context.cpp
struct ContextWords {
  std::unique_ptr<re2::RE2> regex;  // the word is its group 1, or 2 (a camel case hump's)
  std::unique_ptr<re2::RE2> labelled;  // a near window before a value: another kind's
  Py_ssize_t far_before, far_after, near_before, near_after;
};

// kBefore: in the near window before the value and on its line (a key, a label); kNear:
// elsewhere in a near window.
enum class Seen { kNone, kBefore, kNear, kFar, kBeyondAscii };

Seen find_context(const ContextWords& words, PyObject* text, Py_ssize_t start, Py_ssize_t end,
                  bool lines, std::string* word);

// The Python type Context: a recognizer's ContextWords.
struct ContextObject {
  PyObject_HEAD
  ContextWords* words;
};

// Where a recognizer refuses what is glued to more of the same (`123-45-6789-1`): nowhere,
// the match (before its checks), or the value its checks keep (a recognizer that tries
// shorter ends of a match: a phone number run into a date; its start, which they keep, is
// judged before the checks).
enum class Edges { kFree = 0, kMatch = 1, kValue = 2 };

// search.cpp
constexpr int kUngated = -2;  // an entry's context words are in no Set (detector._gated)

struct Entry {
  double ceiling;          // the best score without context
  int context;             // the Set index of the recognizer's context words, -1 if
                           // none, or kUngated
  PyObject* trigger;       // the layer it starts (a str), or null for a recognizer's pattern
  Edges edges;             // what may not be glued to more of the same
  PyObject* words;         // the recognizer's Context object, or null
  PyObject* recognizer;    // for context beyond ASCII (its context_near)
  double boost;            // what a context word adds
  PyObject* note;          // the explanation's first part
  PyObject* check;         // value -> None or (start, end, (score, why)), remembered
  PyObject* entity_type;
  PyObject* layer;
  PyObject* refuse;        // (text, start) -> whether a label refuses the value, or null
  PyObject* place;         // (text, start) -> whether the value may stand there, or null
  std::shared_ptr<re2::RE2> screen;  // what a value must hold for the checks to run, or null
  bool sieved = false;  // a trigger whose spans count only where they may hide text (text.cpp)
};

constexpr int kMaxGroups = 64;  // a pattern's `value` and `key` are among its first groups

struct Pattern {
  std::unique_ptr<re2::RE2> regex;  // null for an index that is only context words
  int value = 0;                    // the group named `value` (0, none: the whole match)
  int key = 0;                      // the group named `key` (the keyword), 0 if none
  double floor = 1.0;               // the lowest ceiling of its entries
  std::vector<Entry> entries;
  // The bytes every match opens with, when few (prefilter.opening): each search starts at
  // the next of them, and none left ends the pattern's search.
  bool opens = false;
  std::array<bool, 256> opening{};
  bool sieves = false;  // an entry is a sieved trigger
  // The pattern whose matches hold every match of this one (detector's `enclosing`), or
  // -1: only in the kInside Set, this one is searched inside those matches, each at least
  // `least` bytes long, where that Set finds it.
  int within = -1;
  Py_ssize_t least = 0;
  bool encloses = false;  // another's `within`: its candidates are whole matches
};

struct Candidate {
  int index;
  Py_ssize_t start, end, key_start, key_end;  // bytes here, characters once converted
  bool opaque = false;  // hides no text, for a sieved trigger (may_hide_text)
};

struct Search {
  std::vector<std::unique_ptr<re2::RE2::Set>> sets;
  std::vector<std::string> runs_on;  // each Set's: a text runs it if it holds one ("": all;
                                     // kHumps: a key with a camel case hump)
  int sentinel = 0;  // the index of the always-matching last pattern of each Set
  std::vector<Pattern> patterns;
  int inside = -1;  // the kInside Set, if any

  // Fills `found` (the Set indices that matched, sorted) and `out`; false when a Set gave
  // up, in which case every pattern ran. Stops counting matches past `limit`.
  bool find(re2::StringPiece text, double min_score, long limit, std::vector<int>* found,
            std::vector<Candidate>* out, long* count) const;
  bool live(const Entry& e, const std::vector<int>& found, bool complete, double min_score) const;

 private:
  // Whether any of the pattern's entries can reach min_score (Search::live).
  bool wanted(const Pattern& p, const std::vector<int>& found, bool complete,
              double min_score) const;
  // The pattern's matches between `from` and `to` into `out`; false past `limit`.
  bool search(const Pattern& p, int index, re2::StringPiece text, size_t from, size_t to,
              long limit, std::vector<Candidate>* out, long* count) const;
};

// memo.cpp: the Python type Memo, ready for PyType_Ready
PyTypeObject* memo_type();

// text.cpp: whether an encoded-looking token may hide text, read as hex or base64 (false:
// surely none, as decoders._as_text would find)
bool may_hide_text(const char* token, size_t n);

// entropy.cpp: Shannon entropy of a str in bits per character (entropy.py)
double shannon(PyObject* text);

// assess.cpp
struct Constants {
  PyObject* hit;            // the Hit class
  PyObject* normalisation;  // the layer of a keyword written in leetspeak
  PyObject* leetspeak;      // its evasion's name
  std::u32string leet;      // the characters leetspeak swaps in
  ~Constants() { Py_XDECREF(leetspeak); }
};

// A new reference to a Hit, Py_None (a new reference) when the candidate is not one, or
// null with an exception set. With `lines`, context counts only on the value's line.
PyObject* assess(const Entry& e, const Constants& constants, PyObject* text, Py_ssize_t start,
                 Py_ssize_t end, Py_ssize_t key_start, Py_ssize_t key_end, double min_score,
                 bool lines);

}  // namespace finder
