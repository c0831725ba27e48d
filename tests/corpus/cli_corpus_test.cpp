// mlscope-cli info/ops on every model of ../shared/corpus*, compared with the ground truth there:
// expected.json (interface, op counts, functions), meta.json (per-function op histograms, the
// W8A8 program's op sequence) and seed-measurements.md (op output dtype counts).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "support/corpus_case_print.h"
#include "support/doc_keys.h"
#include "support/test_paths.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace mlscope::test;

namespace {

json load_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

struct CliRun {
  int code = -1;
  std::string out, err;
};

CliRun run_cli(const std::string& args, const std::string& tag) {
  fs::path err = scratch_dir("cli_corpus_" + tag) / "stderr.txt";
  CliRun r;
  r.code = run_command(cli_path().string() + " " + args + " 2>'" + err.string() + "'", &r.out);
  std::ifstream in(err);
  r.err.assign(std::istreambuf_iterator<char>(in), {});
  return r;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

/// Runs `verb MODEL --json ...` and parses stdout; fails the test (returns null) on a bad exit.
json cli_json(const std::string& verb, const CorpusCase& c, const std::string& extra = {}) {
  CliRun r = run_cli(verb + " " + quoted(c.model) + " --json" + extra, case_test_name(c.name) + "_" + verb);
  EXPECT_EQ(r.code, 0) << verb << " " << c.model << "\nstderr: " << r.err;
  if (r.code != 0) return nullptr;
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << verb << " --json printed no valid JSON for " << c.model;
  return j.is_discarded() ? json(nullptr) : j;
}

/// Compares every key the expected feature gives (name, type, dtype, shape, width, height, ...).
void expect_features(const json& actual, const json& expected, const std::string& what) {
  ASSERT_TRUE(actual.is_array()) << what;
  ASSERT_EQ(actual.size(), expected.size()) << what << ": " << actual.dump();
  for (size_t i = 0; i < expected.size(); ++i)
    for (const auto& [key, value] : expected[i].items())
      EXPECT_EQ(actual[i].value(key, json()), value) << what << "[" << i << "]." << key;
}

std::multiset<std::string> as_set(const json& a) {
  std::multiset<std::string> s;
  for (const auto& e : a) s.insert(e.get<std::string>());
  return s;
}

/// op type → count over the listed ops of one `ops --json` function.
std::map<std::string, int64_t> type_counts(const json& fn) {
  std::map<std::string, int64_t> m;
  for (const auto& op : fn["ops"]) ++m[op["type"].get<std::string>()];
  return m;
}

/// Adds the op types of every function (and every pipeline stage) of an `ops --json` document.
void add_all_counts(const json& doc, std::map<std::string, int64_t>& into) {
  for (const auto& fn : doc["functions"])
    for (const auto& [k, v] : type_counts(fn)) into[k] += v;
  for (const auto& sub : doc["submodels"]) add_all_counts(sub, into);
}

std::map<std::string, int64_t> to_counts(const json& obj) {
  std::map<std::string, int64_t> m;
  for (const auto& [k, v] : obj.items()) m[k] = v.get<int64_t>();
  return m;
}

class CliCorpus : public ::testing::TestWithParam<CorpusCase> {};

}  // namespace

TEST(CliCorpusListing, SharedCorpusHasCases) {
  MLSCOPE_REQUIRE_SHARED();
  EXPECT_FALSE(corpus_cases().empty()) << "no case folders with expected.json under " << shared_dir();
}

TEST_P(CliCorpus, InfoJsonMatchesExpected) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  json expected = load_json(c.dir / "expected.json");
  json info = cli_json("info", c);
  ASSERT_FALSE(info.is_null());
  for (const char* key : {"format", "kind", "specification_version", "nested_ops"})
    if (expected.contains(key)) {
      EXPECT_EQ(info[key], expected[key]) << key;
    }
  if (expected.contains("op_counts")) {
    EXPECT_EQ(to_counts(info["op_counts"]), to_counts(expected["op_counts"]));
  }
  for (const char* key : {"inputs", "outputs", "states"})
    if (expected.contains(key)) expect_features(info[key], expected[key], key);
  // A protobuf map's order carries no meaning: compare function names as a set.
  if (expected.contains("functions")) {
    EXPECT_EQ(as_set(info["functions"]), as_set(expected["functions"]));
  }
  // Compiled bundles' expected.json list no specializations (independent scan of model.mil text).
  if (expected.contains("block_specializations") && !expected["block_specializations"].empty()) {
    EXPECT_EQ(info["block_specializations"], expected["block_specializations"]);
  }
  if (expected.contains("submodels")) {
    json kinds = json::array();
    for (const auto& s : info["submodels"]) kinds.push_back(s["kind"]);
    EXPECT_EQ(kinds, expected["submodels"]) << "pipeline stages (by kind)";
  }
  int64_t total = 0;
  for (const auto& [k, v] : info["op_counts"].items()) total += v.get<int64_t>();
  EXPECT_EQ(info["op_count_total"], total);
}

TEST_P(CliCorpus, OpsListingAgreesWithIndependentCounts) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  json expected = load_json(c.dir / "expected.json");
  json ops = cli_json("ops", c);
  ASSERT_FALSE(ops.is_null());
  // The listing walks each function's active specialization only; with one specialization per
  // function it must account for every op expected.json counts.
  bool single_spec = true;
  const json specializations = expected.value("block_specializations", json::object());
  for (const auto& [fn, specs] : specializations.items())
    single_spec = single_spec && specs.size() <= 1;
  if (expected.contains("op_counts") && single_spec) {
    std::map<std::string, int64_t> listed;
    add_all_counts(ops, listed);
    EXPECT_EQ(listed, to_counts(expected["op_counts"]));
  }
  // meta.json (corpus-gen) gives a histogram per function.
  if (fs::exists(c.dir / "meta.json")) {
    json hist = load_json(c.dir / "meta.json").value("op_histogram", json::object());
    const json& fns = ops["functions"];
    if (hist.size() == 1 && fns.size() == 1) {
      EXPECT_EQ(type_counts(fns[0]), to_counts(hist.begin().value())) << "function " << fns[0]["name"];
    } else {
      for (const auto& [name, counts] : hist.items()) {
        auto it = std::find_if(fns.begin(), fns.end(), [&](const json& f) { return f["name"] == name; });
        ASSERT_NE(it, fns.end()) << "function " << name << " not listed";
        EXPECT_EQ(type_counts(*it), to_counts(counts)) << "function " << name;
      }
    }
  }
  // meta.json (corpus-gen) names each function's opset.
  if (fs::exists(c.dir / "meta.json")) {
    json opsets = load_json(c.dir / "meta.json").value("opset_per_function", json());
    if (opsets.is_object())
      for (const auto& [name, opset] : opsets.items())
        for (const auto& fn : ops["functions"])
          if (fn["name"] == name) {
            EXPECT_EQ(fn["opset"], opset) << "function " << name;
          }
  }
  // Indices are 0..n-1 in listing order in every function.
  for (const auto& fn : ops["functions"])
    for (size_t i = 0; i < fn["ops"].size(); ++i) ASSERT_EQ(fn["ops"][i]["index"], i) << fn["name"];
}

TEST_P(CliCorpus, TextReportsNameTheInterface) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  json expected = load_json(c.dir / "expected.json");
  CliRun info = run_cli("info " + quoted(c.model), case_test_name(c.name) + "_info_text");
  ASSERT_EQ(info.code, 0) << info.err;
  EXPECT_NE(info.out.find(expected.value("kind", std::string("?"))), std::string::npos) << info.out;
  for (const char* key : {"inputs", "outputs"})
    for (const auto& f : expected.value(key, json::array()))
      EXPECT_NE(info.out.find(f["name"].get<std::string>()), std::string::npos) << f["name"] << "\n" << info.out;
  CliRun ops = run_cli("ops " + quoted(c.model), case_test_name(c.name) + "_ops_text");
  EXPECT_EQ(ops.code, 0) << ops.err;
  EXPECT_FALSE(ops.out.empty());
}

INSTANTIATE_TEST_SUITE_P(Corpus, CliCorpus, ::testing::ValuesIn(corpus_cases()),
                         [](const ::testing::TestParamInfo<CorpusCase>& i) { return case_test_name(i.param.name); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CliCorpus);

// --- the W8A8 program made with coremltools 9.0 (the seed document's structure) ---

namespace {
std::optional<CorpusCase> find_case(const std::string& name) {
  for (const auto& c : corpus_cases())
    if (c.name == name) return c;
  return std::nullopt;
}
}  // namespace

TEST(CliW8A8Ct9, NonConstOpsInProgramOrderMatchMeta) {
  MLSCOPE_REQUIRE_SHARED();
  auto c = find_case("corpus-gen/amplified_conv_tie_w8a8_ct9");
  ASSERT_TRUE(c) << "case missing from " << shared_dir();
  json meta = load_json(c->dir / "meta.json");
  json ops = cli_json("ops", *c);
  ASSERT_FALSE(ops.is_null());
  ASSERT_EQ(ops["functions"].size(), 1u);
  json listed = json::array();
  for (const auto& op : ops["functions"][0]["ops"]) {
    std::string type = op["type"];
    if (type == "const" || type.rfind("constexpr_", 0) == 0) continue;  // as meta's note says
    listed.push_back({{"type", type}, {"name", op["name"]}});
  }
  const json& want = meta["non_const_op_sequence"];
  ASSERT_EQ(want.size(), 36u);
  EXPECT_EQ(listed, want);
}

TEST(CliW8A8Ct9, OpOutputDtypesMatchSeedMeasurements) {
  MLSCOPE_REQUIRE_SHARED();
  auto c = find_case("corpus-gen/amplified_conv_tie_w8a8_ct9");
  ASSERT_TRUE(c);
  // "Output dtypes of ops: 60 FLOAT16, 22 INT32, 16 STRING, 11 INT8, 1 BOOL." (Mac-made file)
  std::ifstream md(shared_dir() / "docs" / "seed-measurements.md");
  std::string text((std::istreambuf_iterator<char>(md)), {});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(Output dtypes of ops: ([^.]*)\.)")));
  std::map<std::string, int64_t> seed;
  std::string list = m[1];
  const std::regex pair(R"((\d+) (\w+))");
  for (std::sregex_iterator it(list.begin(), list.end(), pair), end; it != end; ++it)
    seed[(*it)[2]] = std::stoll((*it)[1]);
  ASSERT_EQ(seed.size(), 5u) << list;

  static const std::map<std::string, std::string> kSchemaName = {
      {"fp16", "FLOAT16"}, {"fp32", "FLOAT32"}, {"int32", "INT32"}, {"int8", "INT8"},
      {"uint8", "UINT8"},  {"string", "STRING"}, {"bool", "BOOL"}};
  json ops = cli_json("ops", *c);
  ASSERT_FALSE(ops.is_null());
  std::map<std::string, int64_t> listed;
  for (const auto& op : ops["functions"][0]["ops"])
    for (const auto& out : op["outputs"]) {
      std::string dt = out["dtype"].is_string() ? out["dtype"].get<std::string>() : "non-tensor";
      auto it = kSchemaName.find(dt);
      ++listed[it == kSchemaName.end() ? dt : it->second];
    }
  EXPECT_EQ(listed, seed);
}

TEST(CliW8A8Ct9, WeightFileAndBlobConstantsAreLocated) {
  MLSCOPE_REQUIRE_SHARED();
  auto c = find_case("corpus-gen/amplified_conv_tie_w8a8_ct9");
  ASSERT_TRUE(c);
  json info = cli_json("info", *c);
  json ops = cli_json("ops", *c);
  ASSERT_FALSE(info.is_null());
  ASSERT_FALSE(ops.is_null());
  const fs::path weight = c->model / "Data" / "com.apple.CoreML" / "weights" / "weight.bin";
  ASSERT_EQ(info["weight_files"].size(), 1u);
  EXPECT_EQ(info["weight_files"][0]["path"], "Data/com.apple.CoreML/weights/weight.bin");
  EXPECT_EQ(info["weight_files"][0]["bytes"], fs::file_size(weight));
  EXPECT_GT(info["weight_files"][0]["blobs"], 0);
  EXPECT_GE(info["weight_bytes"].get<uint64_t>(), fs::file_size(weight));
  int blob_consts = 0;
  for (const auto& op : ops["functions"][0]["ops"]) {
    if (op["type"] != "const" || !op["constant"].contains("file")) continue;
    ++blob_consts;
    EXPECT_EQ(op["constant"]["file"], "weight.bin");
    EXPECT_EQ(op["constant"]["location"].get<std::string>().rfind("blob @", 0), 0u) << op.dump();
    EXPECT_LT(op["constant"]["offset"].get<uint64_t>(), fs::file_size(weight));
  }
  EXPECT_GT(blob_consts, 0);
  // The doc keys the unit fixtures cannot produce (they need a weight file) appear here.
  for (const char* key : {"weight_files[].path", "weight_files[].bytes", "weight_files[].blobs"})
    EXPECT_TRUE(has_key_path(info, key)) << key;
  for (const char* key : {"functions[].ops[].constant.file", "functions[].ops[].constant.offset"})
    EXPECT_TRUE(has_key_path(ops, key)) << key;
}

TEST(CliMultifunction, FunctionFilterSelectsOneFunction) {
  MLSCOPE_REQUIRE_SHARED();
  auto c = find_case("corpus-gen/multifunction_two_heads");
  ASSERT_TRUE(c);
  json ops = cli_json("ops", *c, " --function regress");
  ASSERT_FALSE(ops.is_null());
  ASSERT_EQ(ops["functions"].size(), 1u);
  EXPECT_EQ(ops["functions"][0]["name"], "regress");
  json info = cli_json("info", *c);
  ASSERT_FALSE(info.is_null());
  EXPECT_EQ(info["default_function"], "classify");  // corpus-gen/README.md: "default function: classify"
  CliRun bad = run_cli("ops " + quoted(c->model) + " --function nope", "multifunction_bad");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("'nope'"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("classify"), std::string::npos) << bad.err;
}
