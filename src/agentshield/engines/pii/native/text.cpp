// Whether an encoded-looking token may hide text (decoders.decode): its bytes, read as hex
// or as base64, pass the first checks decoders._as_text makes (no byte that UTF-8 never
// holds, at most one control byte in twenty, UTF-8's structure). A token that fails them
// both ways hides none, and the finder drops it with no call into Python: most are hashes,
// commit ids and keys. Only a first sieve: what passes is decoded and judged in Python.
#include "finder.h"

namespace finder {
namespace {

int hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// base64's and base64url's alphabets at once (decoders.decode_base64 reads a token with
// `-` or `_` as base64url, where they stand for `+` and `/`).
int base64_digit(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

bool control(unsigned char b) {
  return b < 0x09 || b == 0x0B || b == 0x0C || (b >= 0x0E && b < 0x20) || b == 0x7F;
}

bool never_utf8(unsigned char b) { return b == 0xC0 || b == 0xC1 || b >= 0xF5; }

// UTF-8's structure: each lead byte followed by as many continuation bytes as it says (the
// decoder also refuses overlong forms and surrogates, which this lets through).
bool utf8_shaped(const std::string& bytes) {
  const size_t n = bytes.size();
  for (size_t i = 0; i < n;) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b >= 0x80 && b < 0xC0) return false;  // a continuation byte with no lead
    const size_t more = b < 0x80 ? 0 : b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
    if (n - i - 1 < more) return false;
    for (size_t k = 1; k <= more; ++k)
      if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) return false;
    i += 1 + more;
  }
  return true;
}

bool may_be_text(const std::string& bytes) {
  size_t controls = 0;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (never_utf8(b)) return false;
    controls += control(b);
  }
  return 20 * controls <= bytes.size() && utf8_shaped(bytes);
}

bool hex_may_hide_text(const char* token, size_t n) {
  if (n % 2) return false;
  std::string bytes(n / 2, '\0');
  for (size_t i = 0; i < n; i += 2) {
    const int high = hex_digit(token[i]), low = hex_digit(token[i + 1]);
    if (high < 0 || low < 0) return false;
    bytes[i / 2] = static_cast<char>(high << 4 | low);
  }
  return may_be_text(bytes);
}

bool base64_may_hide_text(const char* token, size_t n) {
  size_t body = n;
  while (body > 0 && token[body - 1] == '=') --body;
  if (body % 4 == 1) return false;  // (decoders.decode_base64 refuses it)
  std::string bytes;
  bytes.reserve(body * 3 / 4);
  unsigned bits = 0;
  int held = 0;
  for (size_t i = 0; i < body; ++i) {
    const int digit = base64_digit(token[i]);
    if (digit < 0) return true;  // not a token the pattern gives: let Python judge
    bits = (bits << 6 | static_cast<unsigned>(digit)) & 0xFFFFFF;
    held += 6;
    if (held >= 8) {
      held -= 8;
      bytes.push_back(static_cast<char>(bits >> held & 0xFF));
    }
  }
  return may_be_text(bytes);
}

}  // namespace

bool may_hide_text(const char* token, size_t n) {
  return hex_may_hide_text(token, n) || base64_may_hide_text(token, n);
}

}  // namespace finder
