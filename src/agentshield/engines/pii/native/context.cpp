// A recognizer's context words near a value (recognizer.context_near), for windows of
// ASCII text: one RE2 search over "near window NUL far window" finds the first word in the
// near window, else in the far one. NUL is no letter and in no word, so no word reaches
// across. Windows beyond ASCII are left to Python's `re`, which knows Unicode letters.
#include <algorithm>
#include <cctype>

#include "finder.h"

namespace finder {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// leet.glued_digits: the word's own last digit, then another.
bool glued_digits(const std::string& text, size_t last) {
  return last < text.size() && digit(text[last]) && digit(text[last - 1]);
}

}  // namespace

Seen find_context(const ContextWords& words, PyObject* text, Py_ssize_t start, Py_ssize_t end,
                  std::string* word) {
  const int kind = PyUnicode_KIND(text);
  const void* data = PyUnicode_DATA(text);
  const Py_ssize_t size = PyUnicode_GET_LENGTH(text);
  start = std::clamp<Py_ssize_t>(start, 0, size);
  end = std::clamp<Py_ssize_t>(end, start, size);
  const Py_ssize_t from = std::max<Py_ssize_t>(0, start - words.far_before);
  const Py_ssize_t to = std::min(size, end + words.far_after);
  std::string both(1, ' ');  // see the search below
  both.reserve(2 * (to - from) + 4);
  bool ascii = true;
  auto add = [&](Py_ssize_t a, Py_ssize_t b) {
    for (Py_ssize_t i = a; i < b && ascii; ++i) {
      const Py_UCS4 c = PyUnicode_READ(kind, data, i);
      ascii = c < 128;
      both.push_back(static_cast<char>(c));
    }
  };
  add(std::max(from, start - words.near_before), start);
  both.push_back(' ');
  add(end, std::min(to, end + words.near_after));
  const size_t near = both.size();
  both.push_back('\0');
  add(from, start);
  both.push_back(' ');
  add(end, to);
  if (!ascii) return Seen::kBeyondAscii;
  // The pattern holds the word's neighbours; a word whose last digit meets another is passed
  // over (recognizer.context_near), and the search goes on from its first character (which
  // may be the next word's left neighbour). The leading space keeps that past position 0.
  re2::StringPiece groups[2];
  size_t at = 0;
  while (words.regex->Match(both, at, both.size(), re2::RE2::UNANCHORED, groups, 2) &&
         groups[1].data() != nullptr) {
    const size_t first = groups[1].data() - both.data();
    const size_t last = first + groups[1].size();  // one past
    if (!glued_digits(both, last)) {
      word->assign(groups[1].data(), groups[1].size());
      for (char& c : *word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return first < near ? Seen::kNear : Seen::kFar;
    }
    at = first;
  }
  return Seen::kNone;
}

}  // namespace finder
