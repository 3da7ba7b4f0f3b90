#include "python/bindings/host_api.h"

#include "python/bindings/json_to_python.h"
#include "python/bindings/python_threads.h"
#include "runtime/context/runtime_context.h"
#include "runtime/host/distributed.h"
#include "runtime/kernels/registry.h"

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>

namespace kb::python {

namespace py = pybind11;
using runtime::DPPolicy;
using runtime::DType;
using runtime::Handle;
using runtime::HostTensor;
using runtime::Split;
using runtime::Tensor;

namespace {

// A context's tensors reach it through this link, cut when the context goes: a tensor
// kept past its context says so instead of touching freed memory.
struct ContextLink {
  runtime::RuntimeContext* context = nullptr;
  runtime::RuntimeContext& get() const {
    if (context == nullptr) throw std::runtime_error("the tensor's RuntimeContext is gone");
    return *context;
  }
};

// RuntimeContext in Python: owns its context when the program created it, borrows the
// ranks' shared one otherwise.
class PyContext {
 public:
  PyContext(Engine& engine, runtime::Device device, std::string correlation_id)
      : owned_(std::make_unique<runtime::RuntimeContext>(*engine.simulation, device,
                                                         std::move(correlation_id))),
        link_(std::make_shared<ContextLink>(ContextLink{owned_.get()})) {}
  explicit PyContext(runtime::RuntimeContext& borrowed)
      : link_(std::make_shared<ContextLink>(ContextLink{&borrowed})) {}
  // Destroying an owned context in a host thread frees its tensors, which waits.
  ~PyContext() {
    KeepThreadState keep;
    link_->context = nullptr;
    distributed_.reset();
    owned_.reset();
  }
  PyContext(const PyContext&) = delete;
  PyContext& operator=(const PyContext&) = delete;

  runtime::RuntimeContext& ctx() const { return link_->get(); }
  const std::shared_ptr<ContextLink>& link() const { return link_; }
  runtime::Distributed& distributed() {
    if (!distributed_) distributed_ = std::make_unique<runtime::Distributed>(ctx());
    return *distributed_;
  }

 private:
  std::unique_ptr<runtime::RuntimeContext> owned_;
  std::shared_ptr<ContextLink> link_;
  std::unique_ptr<runtime::Distributed> distributed_;
};

struct PyTensor {
  Tensor tensor;
  std::shared_ptr<ContextLink> context;
};

// A registered kernel (kernbench.kernels.NAME), what launch() takes as kernel_fn.
struct KernelRef {
  std::string name;
};

DType dtype_of(const std::string& name) {
  if (auto d = runtime::parse_dtype(name)) return *d;
  std::vector<std::string> names;
  for (DType d : runtime::kAllDTypes) names.emplace_back(runtime::to_string(d));
  throw py::value_error(
      fmt::format("unknown dtype '{}': expected one of {}", name, fmt::join(names, ", ")));
}

Split split_of(const std::string& level, const std::string& name) {
  if (auto s = runtime::parse_split(name)) return *s;
  throw py::value_error(fmt::format(
      "DPPolicy {}='{}': expected 'replicate', 'row_wise' or 'column_wise'", level, name));
}

runtime::ReduceOp op_of(const std::string& name) {
  for (auto op : {runtime::ReduceOp::sum, runtime::ReduceOp::max, runtime::ReduceOp::min,
                  runtime::ReduceOp::avg}) {
    if (name == runtime::to_string(op)) return op;
  }
  throw py::value_error(fmt::format("reduce op '{}': expected sum, max, min or avg", name));
}

// numpy's dtype for a device dtype; bf16, which numpy lacks, as its bits (uint16).
py::dtype numpy_dtype(DType d) {
  switch (d) {
    case DType::f16: return py::dtype("float16");
    case DType::f32: return py::dtype("float32");
    case DType::i8: return py::dtype("int8");
    case DType::i16: return py::dtype("int16");
    case DType::i32: return py::dtype("int32");
    case DType::u8: return py::dtype("uint8");
    case DType::u16:
    case DType::bf16: return py::dtype("uint16");
    case DType::u32: return py::dtype("uint32");
  }
  throw std::logic_error("unhandled dtype");
}

// The original's numpy dtype mapping (f16, f32, the integer types).
HostTensor from_numpy(const py::array& array) {
  const py::array a = py::array::ensure(array, py::array::c_style);
  if (!a) throw py::error_already_set();
  const std::string kind = py::str(a.dtype());
  std::optional<DType> dtype;
  for (DType d : runtime::kAllDTypes) {
    if (d != DType::bf16 && kind == std::string(py::str(numpy_dtype(d)))) dtype = d;
  }
  if (!dtype) {
    throw py::value_error(fmt::format(
        "unsupported numpy dtype: {} (float16, float32, int8, int16, int32, uint8, uint16, "
        "uint32)",
        kind));
  }
  std::vector<std::int64_t> shape(a.shape(), a.shape() + a.ndim());
  HostTensor host(shape, *dtype);
  if (host.bytes().size() != static_cast<std::size_t>(a.nbytes())) {
    throw std::logic_error("host tensor size disagrees with the array's");
  }
  if (!host.bytes().empty()) std::memcpy(host.bytes().data(), a.data(), host.bytes().size());
  return host;
}

// The host tensor's bytes as a numpy array that owns them (no copy).
py::array to_numpy(HostTensor host) {
  const DType dtype = host.dtype();
  const std::vector<std::int64_t> shape = host.shape();
  if (!host.has_storage()) host = HostTensor(shape, dtype);  // timing-only: nothing came back
  auto* owned = new HostTensor(std::move(host));
  py::capsule free_it(owned, [](void* p) { delete static_cast<HostTensor*>(p); });
  return py::array(numpy_dtype(dtype), shape, owned->bytes().data(), free_it);
}

HostTensor host_source(const py::object& source) {
  if (py::isinstance<HostTensor>(source)) return source.cast<HostTensor>();
  if (py::isinstance<py::array>(source)) return from_numpy(source.cast<py::array>());
  throw py::type_error("copy_() takes a host tensor (ctx.from_numpy) or a numpy array");
}

}  // namespace

runtime::Device device_of(const py::object& target) {
  if (target.is_none()) return runtime::Device::all();
  if (py::isinstance<py::int_>(target)) return runtime::Device::only(target.cast<std::uint32_t>());
  const std::string text = py::str(target);
  if (text == "all") return runtime::Device::all();
  for (const char* prefix : {"sip:", "sip", "ahbm:"}) {
    const std::size_t n = std::strlen(prefix);
    if (text.compare(0, n, prefix) == 0 && text.size() > n &&
        text.find_first_not_of("0123456789", n) == std::string::npos) {
      return runtime::Device::only(static_cast<std::uint32_t>(std::stoul(text.substr(n))));
    }
  }
  throw py::value_error(
      fmt::format("target_device '{}': expected 'all', a SIP index, 'sip:N' or 'ahbm:N'", text));
}

namespace {

py::dict completion(const Handle& h) {
  py::dict out;
  out["request_id"] = h.request->message().label;
  out["submitted_ns"] = static_cast<double>(h.request->submitted_ps()) / 1000.0;
  out["finished_ns"] = static_cast<double>(h.request->done_ps()) / 1000.0;
  return out;
}

// The original launch's argument rules: tensors, then ints (i32) and floats (f32);
// keyword values are appended in their order, their names dropped.
runtime::LaunchArg launch_arg(const py::handle& value, const std::string& where) {
  if (py::isinstance<PyTensor>(value)) return value.cast<PyTensor&>().tensor;
  if (py::isinstance<py::int_>(value)) return value.cast<std::int64_t>();
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  throw py::type_error(
      fmt::format("launch argument {}: a {} is not a device tensor, an int or a "
                  "float",
                  where, std::string(py::str(value.get_type().attr("__name__")))));
}

py::object launch(PyContext& self, const std::string& name, const py::object& kernel_fn,
                  const py::args& args, const py::kwargs& kwargs) {
  runtime::RuntimeContext& ctx = self.ctx();
  bool defer = false;
  std::vector<runtime::LaunchArg> list;
  for (std::size_t i = 0; i < args.size(); ++i)
    list.push_back(launch_arg(args[i], fmt::format("#{}", i)));
  for (const auto& [key, value] : kwargs) {
    const std::string k = py::str(key);
    if (k == "_defer_wait") {
      defer = value.cast<bool>();
      continue;
    }
    list.push_back(launch_arg(value, k));
  }
  runtime::KernelFn fn;
  if (kernel_fn.is_none()) {
    fn = runtime::kernel_registry().get(name).fn;
  } else if (py::isinstance<KernelRef>(kernel_fn)) {
    fn = runtime::kernel_registry().get(kernel_fn.cast<KernelRef&>().name).fn;
  } else {
    throw py::type_error(
        "kernel_fn: pass None (the kernel registered as kernel_name) or kernbench.kernels.NAME; "
        "kernels are the registered C++ ones (docs/python.md)");
  }
  const std::vector<Handle> handles = ctx.launch(
      name, fn, std::move(list), defer ? runtime::Launch::deferred() : runtime::Launch{});
  if (!defer) return handles.empty() ? py::none() : py::cast(handles.back());
  py::list pending;
  for (const Handle& h : handles) {
    py::dict meta;
    meta["phase"] = "kernel";
    meta["name"] = name;
    meta["sip"] = h.meta.sip;
    pending.append(py::make_tuple(h, h.meta.sip, meta));
  }
  return std::move(pending);
}

py::object plan_dict(const runtime::IpcqPlan& plan) { return to_python(plan.to_json()); }

py::list traces(const runtime::RuntimeContext& ctx) {
  py::list out;
  for (const runtime::TraceEntry& t : ctx.traces()) out.append(to_python(runtime::trace_json(t)));
  return out;
}

PyTensor create(PyContext& self, const std::vector<std::int64_t>& shape, const std::string& dtype,
                const py::object& dp, const std::optional<std::string>& name, bool zero) {
  if (dp.is_none() || !py::isinstance<DPPolicy>(dp)) {
    throw py::value_error("dp=DPPolicy(...) is required for tensor creation");
  }
  const DPPolicy& policy = dp.cast<const DPPolicy&>();
  runtime::RuntimeContext& ctx = self.ctx();
  Tensor t = zero ? ctx.zeros(shape, dtype_of(dtype), policy, name.value_or(""))
                  : ctx.empty(shape, dtype_of(dtype), policy, name.value_or(""));
  return PyTensor{std::move(t), self.link()};
}

void bind_tensors(py::module_& m) {
  py::class_<DPPolicy>(m, "DPPolicy")
      .def(py::init([](const std::string& sip, const std::string& cube, const std::string& pe,
                       std::optional<std::int64_t> num_sips, std::optional<std::int64_t> num_cubes,
                       std::optional<std::int64_t> num_pes, const std::string& memory) {
             if (memory != "hbm" && memory != "sram") {
               throw py::value_error("DPPolicy memory='" + memory + "': expected 'hbm' or 'sram'");
             }
             return DPPolicy{
                 split_of("sip", sip),
                 split_of("cube", cube),
                 split_of("pe", pe),
                 num_sips,
                 num_cubes,
                 num_pes,
                 memory == "sram" ? runtime::MemoryKind::sram : runtime::MemoryKind::hbm};
           }),
           py::kw_only(), py::arg("sip") = "replicate", py::arg("cube") = "replicate",
           py::arg("pe") = "replicate", py::arg("num_sips") = py::none(),
           py::arg("num_cubes") = py::none(), py::arg("num_pes") = py::none(),
           py::arg("memory") = "hbm")
      .def_property_readonly("sip", [](const DPPolicy& p) { return runtime::to_string(p.sip); })
      .def_property_readonly("cube", [](const DPPolicy& p) { return runtime::to_string(p.cube); })
      .def_property_readonly("pe", [](const DPPolicy& p) { return runtime::to_string(p.pe); })
      .def_readonly("num_sips", &DPPolicy::num_sips)
      .def_readonly("num_cubes", &DPPolicy::num_cubes)
      .def_readonly("num_pes", &DPPolicy::num_pes)
      .def("__repr__", [](const DPPolicy& p) { return "DPPolicy" + p.to_string(); });

  py::class_<HostTensor>(m, "HostTensor")
      .def_property_readonly("shape",
                             [](const HostTensor& t) { return py::tuple(py::cast(t.shape())); })
      .def_property_readonly("dtype",
                             [](const HostTensor& t) { return runtime::to_string(t.dtype()); })
      .def_property_readonly("nbytes", [](const HostTensor& t) { return t.bytes().size(); })
      .def("numpy", [](const HostTensor& t) { return to_numpy(t); });

  py::class_<PyTensor>(m, "Tensor")
      .def_property_readonly("name", [](const PyTensor& t) { return t.tensor.name(); })
      .def_property_readonly(
          "shape", [](const PyTensor& t) { return py::tuple(py::cast(t.tensor.shape())); })
      .def_property_readonly("dtype",
                             [](const PyTensor& t) { return runtime::to_string(t.tensor.dtype()); })
      .def_property_readonly("nbytes", [](const PyTensor& t) { return t.tensor.nbytes(); })
      .def_property_readonly("dp", [](const PyTensor& t) { return t.tensor.policy(); })
      .def_property_readonly("shards",
                             [](const PyTensor& t) {
                               py::list out;
                               for (const runtime::DeviceShard& s : t.tensor.shards()) {
                                 py::dict d;
                                 d["sip"] = s.sip;
                                 d["cube"] = s.cube;
                                 d["pe"] = s.pe;
                                 d["offset_bytes"] = s.offset_bytes;
                                 d["nbytes"] = s.nbytes;
                                 out.append(d);
                               }
                               return out;
                             })
      .def(
          "copy_",
          [](PyTensor& t, const py::object& source) {
            t.context->get().copy_(t.tensor, host_source(source));
            return t;
          },
          py::call_guard<KeepThreadState>())
      .def("__repr__", [](const PyTensor& t) {
        return t.tensor.valid() ? fmt::format("Tensor('{}', shape={}, dtype={})", t.tensor.name(),
                                              runtime::shape_text(t.tensor.shape()),
                                              runtime::to_string(t.tensor.dtype()))
                                : std::string("Tensor(freed)");
      });
}

void bind_requests(py::module_& m) {
  py::class_<Handle>(m, "RequestHandle")
      .def_property_readonly("request_id",
                             [](const Handle& h) { return h.request->message().label; })
      .def_property_readonly("sip", [](const Handle& h) { return h.meta.sip; })
      .def("__eq__", [](const Handle& a, const Handle& b) { return a.request == b.request; })
      .def("__hash__", [](const Handle& h) { return std::hash<const void*>()(h.request.get()); })
      .def("__repr__", [](const Handle& h) {
        return fmt::format("RequestHandle('{}')", h.request->message().label);
      });

  py::class_<KernelRef>(m, "Kernel")
      .def_readonly("name", &KernelRef::name)
      .def_property_readonly(
          "signature",
          [](const KernelRef& k) { return runtime::kernel_registry().get(k.name).signature; })
      .def_property_readonly(
          "summary",
          [](const KernelRef& k) { return runtime::kernel_registry().get(k.name).summary; })
      .def("__repr__", [](const KernelRef& k) { return "kernbench.kernels." + k.name; });
  m.def("kernel", [](const std::string& name) {
    runtime::kernel_registry().get(name);  // throws with the known names
    return KernelRef{name};
  });
  m.def("kernel_names", [] { return runtime::kernel_registry().names(); });
}

void bind_namespaces(py::module_& m) {
  py::class_<runtime::AhbmNamespace>(m, "AhbmNamespace")
      .def("set_device", &runtime::AhbmNamespace::set_device, py::arg("device"))
      .def("current_device", &runtime::AhbmNamespace::current_device);
  py::class_<runtime::AcceleratorNamespace>(m, "AcceleratorNamespace")
      .def("set_device_index", &runtime::AcceleratorNamespace::set_device_index, py::arg("device"))
      .def("current_device_index", &runtime::AcceleratorNamespace::current_device_index);

  using runtime::Distributed;
  const auto keep = py::call_guard<KeepThreadState>();
  py::class_<Distributed>(m, "DistributedContext")
      .def(
          "init_process_group",
          [](Distributed& d, const std::string& backend, const std::string& algorithm,
             const std::string& ccl_yaml) {
            if (backend != "ahbm") {
              throw py::value_error("init_process_group backend '" + backend +
                                    "': the only backend is 'ahbm'");
            }
            d.init_process_group(algorithm, ccl_yaml);
          },
          py::arg("backend") = "ahbm", py::kw_only(), py::arg("algorithm") = "",
          py::arg("ccl_yaml") = "", keep)
      .def("is_initialized", &Distributed::initialised)
      .def("get_rank", &Distributed::rank)
      .def("get_world_size", &Distributed::world_size)
      .def(
          "all_reduce",
          [](Distributed& d, const PyTensor& t, const std::string& op) {
            return d.all_reduce(t.tensor, op_of(op));
          },
          py::arg("tensor"), py::arg("op") = "sum", keep)
      .def(
          "all_gather_into_tensor",
          [](Distributed& d, const PyTensor& out, const PyTensor& in) {
            return d.all_gather(in.tensor, out.tensor);
          },
          py::arg("output"), py::arg("input"), keep)
      .def(
          "reduce_scatter_tensor",
          [](Distributed& d, const PyTensor& out, const PyTensor& in, const std::string& op) {
            return d.reduce_scatter(in.tensor, out.tensor, op_of(op));
          },
          py::arg("output"), py::arg("input"), py::arg("op") = "sum", keep)
      .def(
          "all_to_all_single",
          [](Distributed& d, const PyTensor& out, const PyTensor& in) {
            return d.all_to_all(in.tensor, out.tensor);
          },
          py::arg("output"), py::arg("input"), keep)
      .def(
          "broadcast",
          [](Distributed& d, const PyTensor& t, std::uint32_t src) {
            return d.broadcast(t.tensor, src);
          },
          py::arg("tensor"), py::arg("src") = 0, keep)
      .def(
          "barrier", [](Distributed& d) { return d.barrier(); }, keep);
}

void bind_context(py::module_& m) {
  py::class_<Engine>(m, "Engine").def_property_readonly("now_ns", [](const Engine&) {
    return sc_core::sc_time_stamp().to_seconds() * 1e9;
  });

  const auto keep = py::call_guard<KeepThreadState>();
  py::class_<PyContext> context(m, "RuntimeContext");
  // zeros and empty: the original's signature, zero-filled or not.
  for (const auto& [name, zero] : {std::pair{"zeros", true}, std::pair{"empty", false}}) {
    context.def(
        name,
        [zero = zero](PyContext& self, const std::vector<std::int64_t>& shape,
                      const std::string& dtype, const py::object& dp,
                      const std::optional<std::string>& tensor_name) {
          return create(self, shape, dtype, dp, tensor_name, zero);
        },
        py::arg("shape"), py::arg("dtype") = "f16", py::kw_only(), py::arg("dp") = py::none(),
        py::arg("name") = py::none(), keep);
  }
  context
      .def(py::init([](Engine& engine, const py::object& target_device,
                       const std::string& correlation_id, const py::object&) {
             return std::make_unique<PyContext>(engine, device_of(target_device), correlation_id);
           }),
           py::arg("engine"), py::arg("target_device") = "all", py::arg("correlation_id") = "",
           py::arg("spec") = py::none())
      .def("__enter__", [](py::object self) { return self; })
      .def(
          "__exit__",
          [](PyContext& self, const py::object& type, const py::object&, const py::object&) {
            // Leaving by an exception frees nothing: a kernel may still run on the tensors
            // (docs/runtime.md, "Differences from the original").
            if (type.is_none()) self.ctx().close();
            return false;
          },
          keep)
      .def(
          "cleanup", [](PyContext& self) { self.ctx().close(); }, keep)
      .def_property_readonly("correlation_id",
                             [](const PyContext& self) { return self.ctx().correlation_id(); })
      .def_property_readonly(
          "ahbm", [](PyContext& self) -> runtime::AhbmNamespace& { return self.ctx().ahbm; },
          py::return_value_policy::reference_internal)
      .def_property_readonly(
          "accelerator",
          [](PyContext& self) -> runtime::AcceleratorNamespace& { return self.ctx().accelerator; },
          py::return_value_policy::reference_internal)
      .def_property_readonly(
          "distributed",
          [](PyContext& self) -> runtime::Distributed& { return self.distributed(); },
          py::return_value_policy::reference_internal)
      .def(
          "from_numpy", [](PyContext&, const py::array& a) { return from_numpy(a); },
          py::arg("arr"))
      .def(
          "to_host",
          [](PyContext& self, const PyTensor& t) { return to_numpy(self.ctx().to_host(t.tensor)); },
          py::arg("tensor"), keep)
      .def(
          "share",
          [](PyContext& self, const PyTensor& t, std::uint32_t sip) {
            self.ctx().share(t.tensor, sip);
          },
          py::arg("tensor"), py::arg("sip"), keep)
      .def(
          "free", [](PyContext& self, PyTensor& t) { self.ctx().free(t.tensor); },
          py::arg("tensor"), keep)
      .def("launch", &launch, py::arg("kernel_name"), py::arg("kernel_fn"), keep)
      .def(
          "wait",
          [](PyContext& self, const Handle& h, const py::object&) {
            self.ctx().wait(h);
            return completion(h);
          },
          py::arg("handle"), py::kw_only(), py::arg("_meta") = py::none(), keep)
      .def(
          "is_completed",
          [](PyContext& self, const Handle& h) { return self.ctx().is_completed(h); },
          py::arg("handle"))
      .def(
          "is_finished", [](PyContext& self, const Handle& h) { return self.ctx().is_finished(h); },
          py::arg("handle"))
      .def(
          "wait_all", [](PyContext& self) { self.ctx().wait_all(); }, keep)
      .def("handles", [](PyContext& self) { return self.ctx().handles(); })
      .def_property_readonly("traces", [](PyContext& self) { return traces(self.ctx()); })
      .def_property_readonly("_traces", [](PyContext& self) { return traces(self.ctx()); })
      .def(
          "install_ipcq",
          [](PyContext& self, const std::optional<std::string>& algorithm,
             const std::optional<std::string>& ccl_yaml,
             std::optional<std::uint32_t> world_size_override,
             const std::optional<std::vector<
                 std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>>>& rank_to_pe) {
            std::vector<runtime::PeCoord> pes;
            if (rank_to_pe) {
              for (const auto& [sip, cube, pe] : *rank_to_pe) pes.push_back({sip, cube, pe});
            }
            return plan_dict(self.ctx().install_ipcq(algorithm.value_or(""), ccl_yaml.value_or(""),
                                                     world_size_override,
                                                     rank_to_pe ? &pes : nullptr));
          },
          py::arg("algorithm") = py::none(), py::arg("ccl_yaml") = py::none(),
          py::arg("world_size_override") = py::none(), py::arg("rank_to_pe") = py::none(), keep);
}

}  // namespace

void bind_host_api(py::module_& m) {
  bind_tensors(m);
  bind_requests(m);
  bind_namespaces(m);
  bind_context(m);
}

py::object borrowed_context(runtime::RuntimeContext& context) {
  return py::cast(std::make_unique<PyContext>(context));
}

}  // namespace kb::python
