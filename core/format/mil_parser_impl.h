// Internal: the MIL parser's state, shared by mil_parser.cpp (program structure) and
// mil_parse_literals.cpp (types and literal values). Not for use outside core/format.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/format/mil_lexer.h"
#include "core/format/mil_parser.h"
#include "core/ir/scope.h"

namespace mlscope::format::detail {

class MilParser {
 public:
  MilParser(std::string_view text, const MilSource& source, ir::Model& model);
  void parse_program();

  // --- types and literals (mil_parse_literals.cpp) ---
  ir::Type parse_type();
  /// True when the current token starts a literal (`tensor<`, `dict<`, `fp16(` ...).
  bool at_literal_start() const;
  std::shared_ptr<const ir::Constant> parse_literal();

 private:
  // token stream with one token of lookahead
  void advance();
  [[noreturn]] void fail(const MilToken& at, const std::string& message, const std::string& op = {}) const;
  void expect(char punct, const char* context);
  MilToken expect_ident(const char* context);
  bool accept(char punct);

  // program structure (mil_parser.cpp)
  void parse_function();
  void parse_statements(ir::BlockId block);
  void parse_statement(ir::BlockId block);
  void parse_block_outputs(ir::BlockId block, const char* context);
  void parse_nested_block(ir::OpId op, const MilToken& op_token);
  std::vector<ir::Attribute> parse_attribute_list();
  void define(const MilToken& name_tok, ir::ValueId v);

  // literals (mil_parse_literals.cpp)
  ir::Type parse_type_depth(int depth);
  ir::Shape parse_shape();
  ir::Constant parse_payload(const ir::Type& type, const MilToken& start, int depth);
  ir::Constant parse_tensor_payload(const ir::Type& type, const MilToken& start, int depth);
  ir::Constant parse_blobfile(const ir::Type& type, const MilToken& start);
  void parse_elements(const ir::Type& type, ir::Constant& out, uint64_t& count, uint64_t limit, int depth);
  void parse_element(const ir::Type& type, ir::Constant& out, uint64_t index);
  std::shared_ptr<const ir::BlobFile> open_weight_file(const std::string& path, const MilToken& at);

  MilLexer lexer_;
  MilSource source_;
  ir::Model& model_;
  MilToken cur_, next_;
  ir::Function* fn_ = nullptr;
  ir::ScopeStack scopes_;
  int block_depth_ = 0;
  std::map<std::string, std::shared_ptr<const ir::BlobFile>> weight_files_;  ///< by resolved path
  std::map<std::string, std::shared_ptr<const ir::BlobFile>> weight_files_by_spelling_;  ///< by BLOBFILE path text
};

}  // namespace mlscope::format::detail
