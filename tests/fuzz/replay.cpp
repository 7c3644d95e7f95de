// Runs a fuzz target's LLVMFuzzerTestOneInput on every file of the given
// files and folders (folders: their regular files, sorted by name), without
// libFuzzer: the saved corpus becomes an ordinary test that gcc builds. A
// property failure aborts inside the target, so the test fails on it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    fs::path arg = argv[i];
    if (fs::is_directory(arg)) {
      for (const auto& entry : fs::directory_iterator(arg))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else if (fs::is_regular_file(arg)) {
      files.push_back(arg);
    } else {
      std::cerr << "replay: " << arg.string() << ": no such file or folder\n";
      return 66;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << "replay: no inputs (usage: replay FILE_OR_FOLDER...)\n";
    return 66;
  }
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::cerr << "replay: " << file.string() << ": cannot be read\n";
      return 66;
    }
    // Announced first, so that the input that aborts is the last one named.
    std::cerr << "replay: " << file.filename().string() << "\n";
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::cout << "replay: " << files.size() << " inputs, all passed\n";
  return 0;
}
