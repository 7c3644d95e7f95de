// Decides whether the network in a file is injective, with the same pipeline
// as `nninv injective` (docs/library.md).
// Usage: is_injective NETWORK [TIMEOUT_SECONDS]
#include <iostream>
#include <nninv/decide/pipeline.hpp>
#include <nninv/errors.hpp>
#include <nninv/io/load_model.hpp>
#include <nninv/report/report.hpp>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: is_injective NETWORK [TIMEOUT_SECONDS]\n";
    return nninv::exit_code::usage;
  }
  try {
    nninv::net::Network net = nninv::io::load_model(argv[1]);  // JSON, ONNX or NNet
    nninv::decide::Budget budget(argc > 2 ? std::stod(argv[2]) : 60.0);
    nninv::decide::Outcome outcome = nninv::decide::decide(net, nninv::decide::Property::injective, budget);

    std::cout << "injective: " << nninv::decide::to_string(outcome.verdict) << "\n";
    if (outcome.collision) {  // already re-checked exactly by decide()
      std::cout << "x1 = " << nninv::report::format_vector(outcome.collision->x1) << "\n"
                << "x2 = " << nninv::report::format_vector(outcome.collision->x2) << "\n"
                << "f(x1) = f(x2) = " << nninv::report::format_vector(outcome.collision->y) << "\n";
    }
    std::cout << "reason: " << outcome.reason << "\n";
    return outcome.verdict == nninv::decide::Verdict::holds      ? nninv::exit_code::holds
           : outcome.verdict == nninv::decide::Verdict::violated ? nninv::exit_code::violated
                                                                 : nninv::exit_code::unknown;
  } catch (const nninv::InputError& e) {
    std::cerr << e.what() << "\n";
    return nninv::exit_code::data;
  } catch (const nninv::CannotOpenInput& e) {
    std::cerr << e.what() << "\n";
    return nninv::exit_code::no_input;
  }
}
