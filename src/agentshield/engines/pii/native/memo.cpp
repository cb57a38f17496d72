// The Python type Memo(compute, size): compute(value), remembered by the value's hash for
// recent values (engines/pii/memo.py says why by hash). Compiled, a remembered verdict
// costs the finder's call no Python frame: new text 1.6% fewer instructions, labelled text
// seen before 1.9% (pii_instructions.py's passes, callgrind). Called with the GIL held, from Python or the finder.
#include <unordered_map>
#include <utility>

#include "finder.h"

namespace finder {
namespace {

struct MemoObject {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  PyObject* compute;
  Py_ssize_t size;  // values remembered before starting again; 0: none
  std::unordered_map<Py_hash_t, PyObject*>* seen;
};

// Drops every verdict. The map is emptied before their references go: a verdict's
// destructor may run code that calls this memo again.
void forget(MemoObject* self) {
  if (self->seen == nullptr) return;
  std::unordered_map<Py_hash_t, PyObject*> dropped;
  dropped.swap(*self->seen);
  for (auto& [key, verdict] : dropped) Py_DECREF(verdict);
}

PyObject* Memo_vectorcall(PyObject* callable, PyObject* const* args, size_t nargsf,
                          PyObject* kwnames) {
  auto* self = reinterpret_cast<MemoObject*>(callable);
  if (PyVectorcall_NARGS(nargsf) != 1 || kwnames != nullptr) {
    PyErr_SetString(PyExc_TypeError, "a Memo takes one value");
    return nullptr;
  }
  PyObject* value = args[0];
  if (self->compute == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "Memo not initialised");
    return nullptr;
  }
  if (self->size == 0) return PyObject_CallOneArg(self->compute, value);
  const Py_hash_t key = PyObject_Hash(value);
  if (key == -1) return nullptr;
  const auto found = self->seen->find(key);
  if (found != self->seen->end()) return Py_NewRef(found->second);
  PyObject* verdict = PyObject_CallOneArg(self->compute, value);
  if (verdict == nullptr) return nullptr;
  if (static_cast<Py_ssize_t>(self->seen->size()) >= self->size) forget(self);
  if (self->seen->emplace(key, verdict).second) Py_INCREF(verdict);  // else another
  // thread's, while compute ran: theirs stays
  return verdict;
}

int Memo_init(MemoObject* self, PyObject* args, PyObject* kwargs) {
  static const char* names[] = {"compute", "size", nullptr};
  PyObject* compute;
  Py_ssize_t size;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "On", const_cast<char**>(names), &compute,
                                   &size))
    return -1;
  if (!PyCallable_Check(compute) || size < 0) {
    PyErr_SetString(PyExc_TypeError, "Memo(compute, size): a callable and a size >= 0");
    return -1;
  }
  forget(self);
  Py_XSETREF(self->compute, Py_NewRef(compute));
  self->size = size;
  if (self->seen == nullptr) self->seen = new std::unordered_map<Py_hash_t, PyObject*>();
  self->vectorcall = Memo_vectorcall;
  return 0;
}

int Memo_traverse(MemoObject* self, visitproc visit, void* arg) {
  Py_VISIT(self->compute);
  if (self->seen != nullptr)
    for (auto& [key, verdict] : *self->seen) Py_VISIT(verdict);
  return 0;
}

int Memo_clear(MemoObject* self) {
  forget(self);
  Py_CLEAR(self->compute);
  return 0;
}

void Memo_dealloc(MemoObject* self) {
  PyObject_GC_UnTrack(self);
  Memo_clear(self);
  delete self->seen;
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

// The hashes remembered and their verdicts, as a dict (tests: no value is held).
PyObject* Memo_remembered(MemoObject* self, void*) {
  PyObject* out = PyDict_New();
  if (out == nullptr || self->seen == nullptr) return out;
  for (auto& [key, verdict] : *self->seen) {
    PyObject* hash = PyLong_FromSsize_t(key);
    if (hash == nullptr || PyDict_SetItem(out, hash, verdict) < 0) {
      Py_XDECREF(hash);
      Py_DECREF(out);
      return nullptr;
    }
    Py_DECREF(hash);
  }
  return out;
}

PyMethodDef Memo_methods[] = {
    // `Memo[bool]` in annotations
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef Memo_getset[] = {
    {"remembered", reinterpret_cast<getter>(Memo_remembered), nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyTypeObject MemoType = {PyVarObject_HEAD_INIT(nullptr, 0)};

}  // namespace

PyTypeObject* memo_type() {
  MemoType.tp_name = "agentshield.engines.pii._finder.Memo";
  MemoType.tp_basicsize = sizeof(MemoObject);
  MemoType.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL;
  MemoType.tp_new = PyType_GenericNew;
  MemoType.tp_init = reinterpret_cast<initproc>(Memo_init);
  MemoType.tp_dealloc = reinterpret_cast<destructor>(Memo_dealloc);
  MemoType.tp_traverse = reinterpret_cast<traverseproc>(Memo_traverse);
  MemoType.tp_clear = reinterpret_cast<inquiry>(Memo_clear);
  MemoType.tp_vectorcall_offset = offsetof(MemoObject, vectorcall);
  MemoType.tp_call = PyVectorcall_Call;
  MemoType.tp_getset = Memo_getset;
  MemoType.tp_methods = Memo_methods;
  return &MemoType;
}

}  // namespace finder
