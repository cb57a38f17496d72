// A recognizer's context words near a value (recognizer.context_near), for windows of
// ASCII text: one RE2 search over the four windows, each after a NUL, finds the first word
// in the near windows, else in the far ones. NUL is no letter and in no word, so no word
// reaches across. Windows beyond ASCII are left to Python's `re`, which knows Unicode.
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

// Past a word at `at`: the rest of a key's name (its further words too: `social security
// number`, `phone no.`), a closing quote and blanks, where the key's `:` or `=` stands if
// the word is a key.
Py_ssize_t past_name(int kind, const void* data, Py_ssize_t at, Py_ssize_t to) {
  auto read = [&](Py_ssize_t i) { return PyUnicode_READ(kind, data, i); };
  auto is = [&](Py_UCS4 a, Py_UCS4 b) { return read(at) == a || read(at) == b; };
  auto in_name = [](Py_UCS4 c) { return Py_UNICODE_ISALNUM(c) || c == '_' || c == '-'; };
  while (at < to && in_name(read(at))) ++at;
  for (Py_ssize_t next = at;; at = next) {  // a further word: blanks, then a letter
    while (next < to && (read(next) == ' ' || read(next) == '\t')) ++next;
    if (next == at || next >= to || !Py_UNICODE_ISALPHA(read(next))) break;
    while (next < to && (in_name(read(next)) || read(next) == '.' || read(next) == '#')) ++next;
  }
  if (at < to && is('"', '\'')) ++at;
  while (at < to && is(' ', '\t')) ++at;
  return at;
}

bool separates(Py_UCS4 c) { return c == ':' || c == '='; }

// A word before a value with a `]` between them stood in a list that has ended
// (`[["name", "phone"], ["908740483", …]]`: the header row's last name): no context.
bool list_ended(int kind, const void* data, Py_ssize_t at, Py_ssize_t value) {
  for (; at < value; ++at)
    if (PyUnicode_READ(kind, data, at) == ']') return true;
  return false;
}

// The key of a value's own field: a JSON member's (`"id": `), a `key=value` pair's or a
// line's (`id: `), the key opening the text, a line or a field (after `{`, `,`, `;`, `&` or
// `?` and blanks), within [first, value); what stands before it may be before `first`.
struct OwnKey {
  Py_ssize_t start = -1;  // where the key starts, -1 if the value has none
  Py_UCS4 quote = 0;      // the quote opening the value's string, if one does
  bool member = false;    // a JSON member's key, in quotes
};

OwnKey own_key(int kind, const void* data, Py_ssize_t first, Py_ssize_t value) {
  auto read = [&](Py_ssize_t i) { return PyUnicode_READ(kind, data, i); };
  auto quote = [](Py_UCS4 c) { return c == '"' || c == '\''; };
  OwnKey found;
  Py_ssize_t at = value;
  auto blanks = [&] {
    while (at > first && (read(at - 1) == ' ' || read(at - 1) == '\t')) --at;
  };
  blanks();
  const Py_UCS4 value_quote = at > first && quote(read(at - 1)) ? read(--at) : 0;
  blanks();
  if (at <= first || !separates(read(at - 1))) return found;
  --at;
  blanks();
  const Py_ssize_t name_end = at;
  const bool member = at > first && quote(read(at - 1));
  if (member) {
    const Py_UCS4 q = read(--at);
    while (at > first && read(at - 1) != q && read(at - 1) != '\n') --at;
    if (at <= first || read(at - 1) != q) return found;
    --at;
  } else {
    auto in_name = [](Py_UCS4 c) {
      return Py_UNICODE_ISALNUM(c) || c == '_' || c == '-' || c == '.';
    };
    while (at > first && in_name(read(at - 1))) --at;
    if (at == name_end) return found;
  }
  const Py_ssize_t key = at;
  blanks();
  if (at > 0) {
    const Py_UCS4 c = read(at - 1);
    if (!(c == '\n' || c == '\r' || c == '{' || c == ',' || c == ';' || c == '&' || c == '?'))
      return found;
  }
  found.start = key;
  found.quote = value_quote;
  found.member = member;
  return found;
}

// Whether a word ending at `end`, before the key of the value's own field at `key`, is in
// another field: walking back from the key to it, the last mark met outside brackets closed
// on the way is a `,`, `;` or `&` (a sibling's: `{"nhs": "x", "account": …}`), not an
// opening bracket (an object holding the value's: `{"phone": {"number": …}}`).
bool sibling(int kind, const void* data, Py_ssize_t end, Py_ssize_t key) {
  int depth = 0;
  bool fenced = false;
  for (Py_ssize_t i = key - 1; i >= end; --i) {
    const Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c == '}' || c == ']') {
      ++depth;
    } else if (c == '{' || c == '[') {
      if (depth > 0)
        --depth;
      else
        fenced = false;
    } else if (depth == 0 && (c == ',' || c == ';' || c == '&')) {
      fenced = true;
    }
  }
  return fenced;
}

// Whether a word starting at `word`, after a JSON member's value ending at `end`, is in
// another field: past the value's string (if it is in one), a `,` or a closing bracket
// met outside brackets opened on the way (`"account": "6059712633", "team": "call"`).
bool next_field(int kind, const void* data, const OwnKey& key, Py_ssize_t end, Py_ssize_t word) {
  auto read = [&](Py_ssize_t i) { return PyUnicode_READ(kind, data, i); };
  Py_ssize_t i = end;
  if (key.quote != 0) {
    for (; i < word && read(i) != key.quote; ++i)
      if (read(i) == '\\') ++i;
    if (i >= word) return false;  // in the value's own string
    ++i;
  }
  int depth = 0;
  for (; i < word; ++i) {
    const Py_UCS4 c = read(i);
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return true;
      --depth;
    } else if (c == ',' && depth == 0) {
      return true;
    }
  }
  return false;
}

// A word after a value followed by `:` or `=` is the next field's key
// (`"order_id": "908740483", "sin": …`), and one followed by `>` a tag's name (the next
// element's: `<account>1932513942</account><phone_number>`), not this value's context.
bool next_key(int kind, const void* data, Py_ssize_t size, Py_ssize_t at) {
  at = past_name(kind, data, at, size);
  if (at >= size) return false;
  const Py_UCS4 c = PyUnicode_READ(kind, data, at);
  return separates(c) || c == '>';
}

// A word before a value keys it only on the value's line (in a table, the header a line
// above names other columns too; see tables.py), and only when no other key comes between
// them: a `:` or `=` there, past the word's own, follows another key
// (`{"team": "call", "sin": "294044243"}`: "call" is a value).
bool keys(int kind, const void* data, Py_ssize_t at, Py_ssize_t value) {
  at = past_name(kind, data, at, value);
  if (at < value && separates(PyUnicode_READ(kind, data, at))) ++at;
  for (; at < value; ++at) {
    const Py_UCS4 c = PyUnicode_READ(kind, data, at);
    if (c == '\n' || c == '\r' || separates(c)) return false;
  }
  return true;
}

}  // namespace

Seen find_context(const ContextWords& words, PyObject* text, Py_ssize_t start, Py_ssize_t end,
                  bool lines, std::string* word) {
  const int kind = PyUnicode_KIND(text);
  const void* data = PyUnicode_DATA(text);
  const Py_ssize_t size = PyUnicode_GET_LENGTH(text);
  start = std::clamp<Py_ssize_t>(start, 0, size);
  end = std::clamp<Py_ssize_t>(end, start, size);
  // With `lines`, the windows end at the value's line (a view's entry: its label only).
  Py_ssize_t first = std::max<Py_ssize_t>(0, start - words.far_before);
  Py_ssize_t last = std::min(size, end + words.far_after);
  if (lines) {
    for (Py_ssize_t i = start; i > first; --i) {
      if (PyUnicode_READ(kind, data, i - 1) == '\n') {
        first = i;
        break;
      }
    }
    for (Py_ssize_t i = end; i < last; ++i) {
      if (PyUnicode_READ(kind, data, i) == '\n') {
        last = i;
        break;
      }
    }
  }
  // The windows, in the order searched: near before, near after, far before, far after.
  const Py_ssize_t windows[4][2] = {
      {std::max(first, start - words.near_before), start},
      {end, std::min(last, end + words.near_after)},
      {first, start},
      {end, last},
  };
  // Each after a NUL (no letter, digit or part of a word), with the text's characters on
  // either side of it, so that a word is judged by its real neighbours (`recall` holds no
  // `call`, even where a window starts at its `c`).
  size_t own[4][2];  // where each window's own characters are in `all`
  std::string all;
  all.reserve(2 * (windows[2][1] - windows[2][0] + windows[3][1] - windows[3][0]) + 16);
  bool ascii = true;
  const bool whole_ascii = PyUnicode_IS_ASCII(text);  // most texts: their bytes are the chars
  auto add = [&](Py_ssize_t a, Py_ssize_t b) {
    if (whole_ascii) {
      if (b > a) all.append(static_cast<const char*>(data) + a, b - a);
      return;
    }
    for (Py_ssize_t i = a; i < b && ascii; ++i) {
      const Py_UCS4 c = PyUnicode_READ(kind, data, i);
      ascii = c < 128;
      all.push_back(static_cast<char>(c));
    }
  };
  for (int k = 0; k < 4; ++k) {
    const auto [a, b] = windows[k];
    all.push_back('\0');
    add(std::max<Py_ssize_t>(0, a - 1), a);
    own[k][0] = all.size();
    add(a, b);
    own[k][1] = all.size();
    add(b, std::min(size, b + 1));
  }
  if (!ascii) return Seen::kBeyondAscii;
  // Another kind's value (`order 786074506`): no context word makes it this one's.
  const re2::StringPiece before(all.data() + own[0][0] - 1, own[0][1] - own[0][0] + 1);
  if (re2::RE2::PartialMatch(before, *words.labelled)) return Seen::kNone;
  // The pattern holds the word's neighbours. A word not wholly in a window, or whose last
  // digit meets another (recognizer.context_near), is passed over, and the search goes on
  // from its first character (the next word's left neighbour at the nearest).
  re2::StringPiece groups[3];  // the word in group 1, or in 2 after a hump (`homePhone`)
  size_t at = 0;
  bool read_key = false;
  OwnKey key;  // the value's own key, read at the first word near it
  auto field = [&]() -> const OwnKey& {
    if (!read_key) key = own_key(kind, data, windows[2][0], start);
    read_key = true;
    return key;
  };
  const int count = std::min(3, 1 + words.regex->NumberOfCapturingGroups());
  while (words.regex->Match(all, at, all.size(), re2::RE2::UNANCHORED, groups, count)) {
    const re2::StringPiece found = groups[1].data() != nullptr ? groups[1] : groups[2];
    if (found.data() == nullptr) {  // a phrase where a word is none (context_blind): on
      // from its last letter, the left neighbour of a word after a hump (`lastPhone`); the
      // match holds the character after the phrase, but at the buffer's end
      at = groups[0].data() - all.data() + groups[0].size() - 2;
      continue;
    }
    const size_t first = found.data() - all.data();
    const size_t last = first + found.size();  // one past
    // Where the word ends in the text, were it in window k.
    auto in_text = [&](int k) { return windows[k][0] + Py_ssize_t(last - own[k][0]); };
    bool counts = true;
    for (int k = 1; k < 4 && counts; k += 2) {  // the windows after the value
      if (first >= own[k][0] && last <= own[k][1]) {
        const Py_ssize_t word = in_text(k) - Py_ssize_t(last - first);
        counts = !next_key(kind, data, size, in_text(k)) &&
                 !(field().member && next_field(kind, data, field(), end, word));
      }
    }
    for (int k = 0; k < 4 && counts; ++k) {
      if (first < own[k][0] || last > own[k][1] || glued_digits(all, last)) continue;
      if (k % 2 == 0) {  // before the value: not in a list that has ended, nor another field
        if (list_ended(kind, data, in_text(k), start)) continue;
        const Py_ssize_t at = field().start;
        if (at >= 0 && in_text(k) <= at && sibling(kind, data, in_text(k), at)) continue;
      }
      word->assign(found.data(), found.size());
      for (char& c : *word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (k == 0) return keys(kind, data, in_text(0), start) ? Seen::kBefore : Seen::kNear;
      return k == 1 ? Seen::kNear : Seen::kFar;
    }
    at = first;
  }
  return Seen::kNone;
}

}  // namespace finder
