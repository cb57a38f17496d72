// Shannon entropy in bits per character (entropy.py). Each distinct character's share adds
// its term in order of first appearance, as Python's sum over them did: the same double.
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "finder.h"

namespace finder {

double shannon(PyObject* text) {
  const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
  if (n == 0) return 0.0;
  const int kind = PyUnicode_KIND(text);
  const void* data = PyUnicode_DATA(text);
  std::vector<std::pair<Py_UCS4, Py_ssize_t>> counts;  // in order of first appearance
  int ascii[128];
  std::fill(ascii, ascii + 128, -1);
  for (Py_ssize_t i = 0; i < n; ++i) {
    const Py_UCS4 c = PyUnicode_READ(kind, data, i);
    int at = c < 128 ? ascii[c] : -1;
    for (size_t k = 0; c >= 128 && at < 0 && k < counts.size(); ++k)
      if (counts[k].first == c) at = static_cast<int>(k);
    if (at < 0) {
      at = static_cast<int>(counts.size());
      counts.emplace_back(c, 0);
      if (c < 128) ascii[c] = at;
    }
    ++counts[at].second;
  }
  double sum = 0.0;
  for (const auto& [c, count] : counts) {
    const double share = static_cast<double>(count) / static_cast<double>(n);
    sum += share * std::log2(share);
  }
  return -sum;
}

}  // namespace finder
