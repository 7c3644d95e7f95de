// nninv-check NET CERT: the independent checker's command line.
#include <fstream>
#include <iostream>
#include <new>

#include "nninv/check/checker.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/load_model.hpp"

int main(int argc, char** argv) {
  using namespace nninv;
  if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << "usage: nninv-check NET CERT.json\n\n"
                 "NET is the network the certificate was made for (nninv JSON, ONNX or NNet).\n"
                 "Checks, in exact rational arithmetic and without any solver, that the certificate proves\n"
                 "its verdict for exactly this network (matched by a SHA-256 of the exact network).\n"
                 "exit codes: 0 certified; 1 rejected (the first failing step is named) or not certified\n"
                 "(the verdict rests on a solver's word); 64 usage; 65 bad input; 66 cannot open input.\n";
    return 0;
  }
  if (argc != 3) {
    std::cerr << "usage: nninv-check NET.json CERT.json (see --help)\n";
    return exit_code::usage;
  }
  try {
    net::Model net = io::load_full_model(argv[1]);
    std::ifstream in(argv[2]);
    if (!in) throw CannotOpenInput(std::string(argv[2]) + ": cannot be opened for reading");
    nlohmann::json certificate;
    try {
      certificate = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
      throw InputError(std::string(argv[2]) + ": not JSON: " + e.what());
    }
    check::Report report = check::check_certificate(net, certificate);
    for (const auto& step : report.steps) std::cout << "  ok: " << step << "\n";
    switch (report.status) {
      case check::Status::certified: std::cout << "certified: " << report.message << "\n"; return 0;
      case check::Status::not_certified: std::cout << "not certified: " << report.message << "\n"; return 1;
      default: std::cout << "rejected: " << report.message << "\n"; return 1;
    }
  } catch (const CannotOpenInput& e) {
    std::cerr << "nninv-check: " << e.what() << "\n";
    return exit_code::no_input;
  } catch (const InputError& e) {
    std::cerr << "nninv-check: " << e.what() << "\n";
    return exit_code::data;
  } catch (const UsageError& e) {
    std::cerr << "nninv-check: " << e.what() << "\n";
    return exit_code::usage;
  } catch (const std::bad_alloc& e) {
    // e.g. arith::MatrixTooLarge from a certificate with an enormous matrix:
    // what cannot be checked is not certified.
    std::cout << "rejected: the certificate cannot be checked: out of memory (" << e.what() << ")\n";
    return 1;
  }
}
