#pragma once
// std::visit over several lambdas: std::visit(Overloaded{[](A&){}, [](B&){}}, v).

namespace kb::models {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace kb::models
