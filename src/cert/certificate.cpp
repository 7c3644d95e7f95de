// Canonical network text, its SHA-256 (OpenSSL), and exact JSON number forms.
#include "nninv/cert/certificate.hpp"

#include <openssl/evp.h>

#include <sstream>
#include <stdexcept>

namespace nninv::cert {

namespace {

void write_box(std::ostream& out, const char* what, const net::Box& box) {
  out << what;
  for (const net::Interval& s : box.sides)
    out << " [" << (s.lower ? s.lower->get_str() : "-inf") << "," << (s.upper ? s.upper->get_str() : "inf") << "]";
  out << "\n";
}

}  // namespace

nlohmann::json certificate_header(const net::Network& net, const std::string& property) {
  return {{"format", format_name},
          {"version", format_version},
          {"tool", "nninv 0.1.0"},
          {"network", {{"name", net.name}, {"sha256", network_sha256(net)}, {"input_dim", net.input_dim},
                       {"output_dim", net.output_dim()}}},
          {"property", property}};
}

std::string canonical_text(const net::Network& net) {
  std::ostringstream out;
  out << "nninv-network-v1\ninput_dim " << net.input_dim << "\n";
  write_box(out, "domain", net.domain);
  write_box(out, "codomain", net.codomain);
  for (const net::Layer& layer : net.layers) {
    out << net::layer_type_name(layer);
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      out << " " << d->weights.rows() << "x" << d->weights.cols();
      for (std::size_t r = 0; r < d->weights.rows(); ++r) {
        out << "\n ";
        for (std::size_t c = 0; c < d->weights.cols(); ++c) out << " " << d->weights(r, c).get_str();
        out << " | " << d->bias[r].get_str();
      }
    } else if (const auto* l = std::get_if<net::LeakyRelu>(&layer)) {
      out << " " << l->alpha.get_str();
    }
    out << "\n";
  }
  return out.str();
}

namespace {
std::string sha256_hex(const std::string& text);
}

std::string network_sha256(const net::Network& net) { return sha256_hex(canonical_text(net)); }

std::string canonical_text(const net::Model& model) {
  std::string text = canonical_text(model.net);
  if (model.piecewise_linear()) return text;
  std::ostringstream out;
  out << text;
  for (const net::SmoothLayer& s : model.smooth)
    out << "smooth " << s.at << " " << net::smooth_name(s.kind) << " " << s.alpha.get_str() << "\n";
  out << "head " << net::head_name(model.head) << " " << (model.last_index ? "last" : "first") << "\n";
  write_box(out, "model codomain", model.codomain);
  return out.str();
}

std::string model_sha256(const net::Model& model) { return sha256_hex(canonical_text(model)); }

nlohmann::json certificate_header(const net::Model& model, const std::string& property) {
  nlohmann::json c = certificate_header(model.net, property);
  c["network"]["sha256"] = model_sha256(model);
  c["network"]["output_dim"] = model.output_dim();
  if (model.head != net::Head::none) c["network"]["head"] = net::head_name(model.head);
  if (!model.smooth.empty()) {
    c["network"]["smooth"] = nlohmann::json::array();
    for (const net::SmoothLayer& s : model.smooth) c["network"]["smooth"].push_back(net::smooth_name(s.kind));
  }
  return c;
}

namespace {
std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr))
    throw std::runtime_error("SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string result;
  for (unsigned int i = 0; i < length; ++i) {
    result += hex[digest[i] >> 4];
    result += hex[digest[i] & 15];
  }
  return result;
}
}  // namespace

nlohmann::json to_json(const arith::Vector& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& q : v) a.push_back(q.get_str());
  return a;
}

nlohmann::json to_json(const arith::Matrix& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t r = 0; r < m.rows(); ++r) rows.push_back(to_json(m.row(r)));
  return rows;
}

arith::Vector vector_from_json(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array()) throw std::runtime_error(what + " is not an array of exact numbers");
  arith::Vector v;
  for (const auto& item : j) {
    if (!item.is_string()) throw std::runtime_error(what + " has an entry that is not a \"p/q\" string");
    try {
      v.push_back(arith::parse_rational(item.get<std::string>()));
    } catch (const arith::NumberSyntaxError& e) {
      throw std::runtime_error(what + ": " + e.what());
    }
  }
  return v;
}

arith::Matrix matrix_from_json(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array() || j.empty()) throw std::runtime_error(what + " is not a nonempty array of rows");
  std::vector<arith::Vector> rows;
  for (std::size_t r = 0; r < j.size(); ++r) rows.push_back(vector_from_json(j[r], what + " row " + std::to_string(r)));
  for (const auto& row : rows)
    if (row.size() != rows.front().size()) throw std::runtime_error(what + " has rows of different lengths");
  return arith::Matrix::from_rows(rows, rows.front().size());
}

}  // namespace nninv::cert
