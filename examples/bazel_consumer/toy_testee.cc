// A toy checkpoint implementation with its testee glue, as another project
// would write one (docs/CONFORMANCE.md §5): it reads TensorFlow's
// `checkpoint` state file (a text-format CheckpointState) and nothing else,
// answering "skipped" to every other operation.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"

using json = nlohmann::json;

namespace {

bool ReadExactly(std::string* out, size_t n) {
  out->resize(n);
  return n == 0 || std::fread(&(*out)[0], 1, n, stdin) == n;
}

void Write(const json& response) {
  const std::string body = response.dump();
  const uint32_t n = static_cast<uint32_t>(body.size());
  const unsigned char head[4] = {static_cast<unsigned char>(n), static_cast<unsigned char>(n >> 8),
                                 static_cast<unsigned char>(n >> 16),
                                 static_cast<unsigned char>(n >> 24)};
  std::fwrite(head, 1, 4, stdout);
  std::fwrite(body.data(), 1, body.size(), stdout);
  std::fflush(stdout);
}

// The state of DIR/checkpoint, relative paths joined onto DIR, or throws.
json ReadState(const std::string& dir) {
  std::ifstream in(dir + "/checkpoint");
  if (!in) throw std::runtime_error(dir + "/checkpoint: cannot open");
  const std::regex path_field(R"re(^\s*(model_checkpoint_path|all_model_checkpoint_paths):\s*"([^"\\]*)"\s*$)re");
  const std::regex number_field(R"(^\s*(all_model_checkpoint_timestamps|last_preserved_timestamp):\s*[-+0-9.eE]+\s*$)");
  const auto join = [&dir](const std::string& p) { return p.empty() || p[0] == '/' ? p : dir + "/" + p; };
  json state = {{"all_model_checkpoint_paths", json::array()}};
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::smatch m;
    if (std::regex_match(line, m, path_field)) {
      if (m[1] == "model_checkpoint_path") {
        state["model_checkpoint_path"] = join(m[2]);
      } else {
        state["all_model_checkpoint_paths"].push_back(join(m[2]));
      }
    } else if (!std::regex_match(line, number_field) && line.find_first_not_of(" \t\r") != std::string::npos) {
      throw std::runtime_error(dir + "/checkpoint:" + std::to_string(n) + ": not a CheckpointState field: " + line);
    }
  }
  if (!state.contains("model_checkpoint_path")) {
    throw std::runtime_error(dir + "/checkpoint: no model_checkpoint_path");
  }
  return state;
}

}  // namespace

int main() {
  std::string head, body;
  while (ReadExactly(&head, 4)) {
    const uint32_t n = static_cast<unsigned char>(head[0]) | static_cast<unsigned char>(head[1]) << 8 |
                       static_cast<unsigned char>(head[2]) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(head[3])) << 24;
    if (!ReadExactly(&body, n)) return 1;
    const json request = json::parse(body, nullptr, false);
    const std::string op = request.is_object() ? request.value("op", "") : "";
    if (op == "hello") {
      Write({{"result", {{"name", "toy"}, {"version", "1"}, {"profiles", {"state"}}}}});
    } else if (op == "read_checkpoint_state") {
      try {
        Write({{"result", ReadState(request.at("dir").get<std::string>())}});
      } catch (const std::exception& e) {
        // The coarse class of the refusal (docs/CONFORMANCE.md): a file that
        // is there but does not parse is corrupt.
        const bool missing = std::string(e.what()).find("cannot open") != std::string::npos;
        Write({{"error", e.what()}, {"error_class", missing ? "not_found" : "corrupt"}});
      }
    } else {
      Write({{"skipped", "the toy reads only checkpoint state files"}});
    }
  }
  return 0;
}
