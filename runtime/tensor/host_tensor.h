#pragma once
// A tensor on the host: shape, dtype and row-major bytes (the seed's from_numpy). Host
// tensors are not deployed; copy_() scatters one into a device tensor, and to_host()
// gathers a device tensor into one.

#include "runtime/tensor/dtype.h"

#include <cstring>
#include <stdexcept>
#include <vector>

namespace kb::runtime {

class HostTensor {
 public:
  HostTensor() = default;
  HostTensor(std::vector<std::int64_t> shape, DType dtype);  // zero-filled
  // A shape and dtype without storage: what timing-only runs copy in and read back.
  static HostTensor shape_only(std::vector<std::int64_t> shape, DType dtype);
  bool has_storage() const { return bytes_.size() == elements() * itemsize(dtype_); }

  // The dtype follows the element type: float -> f32, std::int8_t -> i8, F16Bits -> f16...
  template <class T>
  static HostTensor from(const std::vector<T>& values, std::vector<std::int64_t> shape) {
    HostTensor t(std::move(shape), DTypeOf<T>::value);
    if (values.size() != t.elements()) {
      throw std::invalid_argument("host data has " + std::to_string(values.size()) +
                                  " elements for a shape of " + std::to_string(t.elements()));
    }
    std::memcpy(t.bytes_.data(), values.data(), t.bytes_.size());
    return t;
  }

  template <class T>
  std::vector<T> values() const {
    if (DTypeOf<T>::value != dtype_) {
      throw std::invalid_argument(std::string("host tensor holds ") + to_string(dtype_) + ", not " +
                                  to_string(DTypeOf<T>::value));
    }
    std::vector<T> out(elements());
    std::memcpy(out.data(), bytes_.data(), bytes_.size());
    return out;
  }

  const std::vector<std::int64_t>& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  std::uint64_t elements() const;
  std::vector<unsigned char>& bytes() { return bytes_; }
  const std::vector<unsigned char>& bytes() const { return bytes_; }

 private:
  std::vector<std::int64_t> shape_;
  DType dtype_ = DType::f32;
  std::vector<unsigned char> bytes_;
};

std::string shape_text(const std::vector<std::int64_t>& shape);

}  // namespace kb::runtime
