// Candidates: the RE2 Sets tell which patterns match somewhere (see prefilter.py for the
// looser forms they hold); each of those runs again to find where, as the binding's
// finditer would.
#include <algorithm>
#include <cstring>

#include "finder.h"

namespace finder {
namespace {

bool holds_any(re2::StringPiece text, const std::string& chars) {
  return std::any_of(chars.begin(), chars.end(), [&](char c) {
    return std::memchr(text.data(), c, text.size()) != nullptr;  // a few: memchr each
  });
}

bool small(char c) { return c >= 'a' && c <= 'z'; }
bool capital(char c) { return c >= 'A' && c <= 'Z'; }
bool alnum(char c) { return small(c) || capital(c) || (c >= '0' && c <= '9'); }

// Whether a key, the name right before a `:`, `=` or `>` (a quote between them or not:
// `"homePhone":`, `customerSsn=`, `<homePhone>`), holds a small letter then a capital.
// Keys are where camel case names values; memchr finds the marks, each key is read back
// from its own (a scan of every byte for a hump cost ordinary chat 4.7%).
bool holds_hump(re2::StringPiece text) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  for (const char mark : {':', '=', '>'}) {
    for (const char* at = begin; (at = static_cast<const char*>(std::memchr(at, mark, end - at)));
         ++at) {
      const char* p = at;
      if (p > begin && (p[-1] == '"' || p[-1] == '\'')) --p;
      for (int n = 0; p - 1 > begin && n < 64 && alnum(p[-1]); --p, ++n)
        if (capital(p[-1]) && small(p[-2])) return true;
    }
  }
  return false;
}

bool runs(re2::StringPiece text, const std::string& on) {
  if (on.empty()) return true;
  if (on == kInside) return false;  // (inside other patterns' matches: Search::find)
  return on == kHumps ? holds_hump(text) : holds_any(text, on);
}

}  // namespace

// Whether an entry can reach min_score: without context, or with its context words found
// (or not looked for in the Sets). When a Set gave up, any may (fail closed).
bool Search::live(const Entry& e, const std::vector<int>& found, bool complete,
                  double min_score) const {
  return e.ceiling >= min_score || !complete || e.context == kUngated ||
         (e.context >= 0 && std::binary_search(found.begin(), found.end(), e.context));
}

bool Search::wanted(const Pattern& p, const std::vector<int>& found, bool complete,
                    double min_score) const {
  return p.floor >= min_score ||
         std::any_of(p.entries.begin(), p.entries.end(),
                     [&](const Entry& e) { return live(e, found, complete, min_score); });
}

bool Search::search(const Pattern& p, int index, re2::StringPiece text, size_t from, size_t to,
                    long limit, std::vector<Candidate>* out, long* count) const {
  re2::StringPiece groups[kMaxGroups];  // (up to the value's and the key's: RE2 fills no more)
  const int n = 1 + std::max(p.value, p.key);
  size_t pos = from;
  while (pos <= to) {
    if (p.opens) {  // (its matches are never empty: prefilter.opening)
      while (pos < to && !p.opening[static_cast<unsigned char>(text[pos])]) ++pos;
      if (pos == to) break;
    }
    if (!p.regex->Match(text, pos, to, re2::RE2::UNANCHORED, groups, n)) break;
    if (++*count > limit) return false;
    const re2::StringPiece& value = groups[p.value];
    if (value.data() != nullptr && !value.empty()) {
      Candidate c{index, value.data() - text.data(), 0, -1, -1};
      c.end = c.start + static_cast<Py_ssize_t>(value.size());
      c.opaque = p.sieves && !may_hide_text(value.data(), value.size());
      const re2::StringPiece* key = p.key ? &groups[p.key] : nullptr;
      if (key != nullptr && key->data() != nullptr) {
        c.key_start = key->data() - text.data();
        c.key_end = c.key_start + static_cast<Py_ssize_t>(key->size());
      }
      out->push_back(c);
    }
    const size_t end = groups[0].data() - text.data() + groups[0].size();
    if (pos == to) break;
    if (end > pos) {
      pos = end;
    } else {  // an empty match: on by one character, as the binding's finditer goes
      do ++pos;
      while (pos < to && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80);
    }
  }
  return true;
}

bool Search::find(re2::StringPiece text, double min_score, long limit, std::vector<int>* found,
                  std::vector<Candidate>* out, long* count) const {
  std::vector<int> each;  // Match fills its vector anew
  size_t ran = 0;
  for (size_t k = 0; k < sets.size(); ++k) {
    if (!runs(text, runs_on[k])) continue;
    ++ran;
    sets[k]->Match(text, &each);
    found->insert(found->end(), each.begin(), each.end());
  }
  std::sort(found->begin(), found->end());
  // A Set whose DFA runs out of memory answers "no match", its sentinel included.
  const size_t sentinels = std::count(found->begin(), found->end(), sentinel);
  const bool complete = sentinels == ran;
  if (complete) {
    found->resize(found->size() - sentinels);
    found->erase(std::unique(found->begin(), found->end()), found->end());  // context words
  } else {
    found->clear();
    for (size_t i = 0; i < patterns.size(); ++i) found->push_back(static_cast<int>(i));
  }
  for (int index : *found) {
    if (index >= static_cast<int>(patterns.size())) continue;
    const Pattern& p = patterns[index];
    if (!p.regex || p.within >= 0 || !wanted(p, *found, complete, min_score)) continue;
    if (!search(p, index, text, 0, text.size(), limit, out, count)) return complete;
  }
  // The patterns searched inside another's matches (each a run of one class, or part of
  // one): where the Sets' DFA over the whole text cost more than a Set over those matches.
  // A Set's DFA out of memory misses its sentinel: then every such pattern runs.
  if (inside < 0) return complete;
  const size_t searched = out->size();
  for (size_t i = 0; i < searched; ++i) {
    const Candidate run = (*out)[i];  // (a copy: `out` grows)
    if (!patterns[run.index].encloses) continue;
    sets[inside]->Match(text.substr(run.start, run.end - run.start), &each);
    const bool failed = std::find(each.begin(), each.end(), sentinel) == each.end();
    if (failed) {
      each.clear();
      for (size_t k = 0; k < patterns.size(); ++k) each.push_back(static_cast<int>(k));
    }
    std::sort(each.begin(), each.end());
    for (const int index : each) {
      if (index >= static_cast<int>(patterns.size())) continue;
      const Pattern& p = patterns[index];
      if (p.within != run.index || run.end - run.start < p.least ||
          !wanted(p, *found, complete, min_score))
        continue;
      if (!search(p, index, text, run.start, run.end, limit, out, count)) return complete;
    }
  }
  return complete;
}

}  // namespace finder
