// The complete procedure of last resort: the twin encoding in Z3 (src/smt).
#include "nninv/smt/twin_encoding.hpp"
#include "procedures.hpp"

namespace nninv::decide {
namespace {

class SmtTwin : public Procedure {
 public:
  explicit SmtTwin(const smt::EncodingOptions& encoding) : encoding_(encoding) {}
  std::string_view name() const override { return "twin encoding (Z3)"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    return smt::decide_injective_twin(net, budget, encoding_);
  }

 private:
  smt::EncodingOptions encoding_;
};

}  // namespace

std::unique_ptr<Procedure> make_smt_twin(const smt::EncodingOptions& encoding) {
  return std::make_unique<SmtTwin>(encoding);
}

}  // namespace nninv::decide
