// Measures the two complete surjectivity procedures on the same networks:
// the quantified formula "exists y in Y forall x in X: f(x) != y" and the
// counterexample-guided region cover. Writes one CSV row per (net, engine)
// and prints a Markdown summary. Seeded: the same nets on every run.
//
// usage: surjectivity_engines [--timeout SECONDS] [--out FILE.csv]
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "nninv/decide/pipeline.hpp"
#include "nninv/smt/image_encoding.hpp"

using namespace nninv;
using arith::Rational;

namespace {

struct Instance {
  std::string family;
  net::Network net;
};

Rational small_weight(std::mt19937_64& rng) { return Rational(static_cast<long>(rng() % 9) - 4, 2); }

// Square relu / leaky nets n -> w -> ... -> n, optionally on a box domain and
// onto a box codomain; the answers vary (some onto, some not).
net::Network random_square(std::mt19937_64& rng, std::size_t n, std::size_t width, std::size_t hidden, bool leaky,
                           bool boxes) {
  net::Network net;
  net.input_dim = n;
  std::size_t in = n;
  for (std::size_t h = 0; h <= hidden; ++h) {
    std::size_t out = h == hidden ? n : width;
    net::Dense d{arith::Matrix(out, in), arith::Vector(out)};
    for (std::size_t r = 0; r < out; ++r) {
      for (std::size_t c = 0; c < in; ++c) d.weights(r, c) = small_weight(rng);
      d.bias[r] = small_weight(rng);
    }
    net.layers.push_back(d);
    if (h < hidden) net.layers.push_back(leaky ? net::Layer(net::LeakyRelu{Rational(1, 4)}) : net::Layer(net::Relu{}));
    in = out;
  }
  net.domain = net::Box::everything(n);
  net.codomain = net::Box::everything(n);
  if (boxes)
    for (std::size_t i = 0; i < n; ++i) {
      net.domain.sides[i] = net::Interval{Rational(-4), Rational(4)};
      net.codomain.sides[i] = net::Interval{Rational(-1), Rational(1)};
    }
  return net;
}

std::vector<Instance> instances() {
  std::mt19937_64 rng(20261129);
  std::vector<Instance> list;
  for (std::size_t n : {1, 2, 3})
    for (std::size_t width : {2 * n, 3 * n})
      for (bool leaky : {false, true})
        for (bool boxes : {false, true})
          for (int copy = 0; copy < 2; ++copy)
            list.push_back({std::string("n").append(std::to_string(n)).append(leaky ? "-leaky" : "-relu").append(boxes ? "-box" : "-full"),
                            random_square(rng, n, width, 1, leaky, boxes)});
  return list;
}

}  // namespace

int main(int argc, char** argv) {
  double timeout = 10;
  std::string out_path = "surjectivity_engines.csv";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--timeout")) timeout = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--out")) out_path = argv[i + 1];
  }
  std::ofstream csv(out_path);
  csv << "instance,family,relus,engine,verdict,seconds\n";
  double total[2] = {0, 0};
  int solved[2] = {0, 0}, disagreements = 0, both = 0;
  std::vector<double> ratios;
  auto list = instances();
  for (std::size_t k = 0; k < list.size(); ++k) {
    const Instance& inst = list[k];
    decide::Verdict verdicts[2];
    double seconds[2];
    for (int engine = 0; engine < 2; ++engine) {
      decide::Budget budget(timeout);
      decide::Outcome o = engine == 0 ? smt::decide_surjective_quantified(inst.net, budget)
                                      : smt::decide_surjective_region_cover(inst.net, budget);
      seconds[engine] = budget.elapsed_seconds();
      verdicts[engine] = o.verdict;
      if (o.decided()) ++solved[engine];
      // PAR-2: an unsolved run counts as twice the timeout.
      total[engine] += o.decided() ? seconds[engine] : 2 * timeout;
      csv << k << "," << inst.family << "," << inst.net.nonlinear_neuron_count() << ","
          << (engine == 0 ? "quantified" : "region-cover") << "," << decide::to_string(o.verdict) << ","
          << seconds[engine] << "\n";
    }
    if (verdicts[0] != decide::Verdict::unknown && verdicts[1] != decide::Verdict::unknown) {
      ++both;
      if (verdicts[0] != verdicts[1]) ++disagreements;
      ratios.push_back(seconds[0] / seconds[1]);
    }
  }
  std::sort(ratios.begin(), ratios.end());
  double median = ratios.empty() ? 0 : ratios[ratios.size() / 2];
  std::printf("| engine | solved (of %zu) | PAR-2 total (s) |\n|---|---|---|\n", list.size());
  std::printf("| quantified formula | %d | %.2f |\n| region cover | %d | %.2f |\n", solved[0], total[0], solved[1],
              total[1]);
  std::printf("\nboth decided: %d, disagreements: %d, median time ratio quantified / region cover: %.2f\n", both,
              disagreements, median);
  return disagreements == 0 ? 0 : 1;
}
