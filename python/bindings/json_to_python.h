#pragma once
// Reports, plans and traces are JSON in C++; Python gets them as dicts and lists, keys in
// the report's order.

#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>

namespace kb::python {

pybind11::object to_python(const nlohmann::ordered_json& value);

}  // namespace kb::python
