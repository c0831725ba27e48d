#include "core/format/mil_parser.h"

#include <charconv>

#include "core/format/mil_parser_impl.h"

namespace mlscope::format {

void parse_mil_program(std::string_view text, const MilSource& source, ir::Model& model) {
  detail::MilParser(text, source, model).parse_program();
}

namespace detail {

using ir::BlockId;
using ir::OpId;
using ir::ValueId;

MilParser::MilParser(std::string_view text, const MilSource& source, ir::Model& model)
    : lexer_(text, source.file), source_(source), model_(model) {
  cur_ = lexer_.next();
  next_ = lexer_.next();
}

void MilParser::advance() {
  cur_ = next_;
  if (cur_.kind != MilToken::Kind::End) next_ = lexer_.next();
}

void MilParser::fail(const MilToken& at, const std::string& message, const std::string& op) const {
  Location where = lexer_.at(at);
  where.op = op;
  throw Error(where, message);
}

void MilParser::expect(char punct, const char* context) {
  if (!cur_.is(punct)) fail(cur_, std::string("expected '") + punct + "' " + context + ", found " + cur_.describe());
  advance();
}

MilToken MilParser::expect_ident(const char* context) {
  if (cur_.kind != MilToken::Kind::Ident) fail(cur_, std::string("expected ") + context + ", found " + cur_.describe());
  MilToken t = cur_;
  advance();
  return t;
}

bool MilParser::accept(char punct) {
  if (!cur_.is(punct)) return false;
  advance();
  return true;
}

void MilParser::parse_program() {
  if (!cur_.is_ident("program")) fail(cur_, "expected 'program' at the start of a MIL file, found " + cur_.describe());
  advance();
  expect('(', "after 'program'");
  if (cur_.kind != MilToken::Kind::Number) fail(cur_, "expected a program version such as 1.0, found " + cur_.describe());
  int64_t major = 0;
  auto text = cur_.text;
  auto res = std::from_chars(text.data(), text.data() + text.size(), major);
  if (res.ec != std::errc() || major < 0) fail(cur_, "bad program version " + cur_.describe());
  model_.program_version = major;
  advance();
  expect(')', "after the program version");

  if (cur_.is('[')) {
    for (const auto& a : parse_attribute_list()) {
      const ir::Constant& c = *a.value;
      if (c.type.kind == ir::Type::Kind::Dict) {
        // buildInfo: string -> string pairs become program attributes of their own.
        for (size_t i = 0; i + 1 < c.elements.size(); i += 2) {
          auto k = c.elements[i].scalar_string();
          auto v = c.elements[i + 1].scalar_string();
          model_.program_attributes[k ? *k : c.elements[i].summary()] = v ? *v : c.elements[i + 1].summary();
        }
      } else {
        auto s = c.scalar_string();
        model_.program_attributes[a.name] = s ? *s : c.summary();
      }
    }
  }
  expect('{', "to open the program body");
  while (!cur_.is('}')) {
    if (cur_.kind == MilToken::Kind::End) fail(cur_, "unexpected end of file: the program body is not closed with '}'");
    parse_function();
  }
  advance();
  if (cur_.kind != MilToken::Kind::End) fail(cur_, "unexpected " + cur_.describe() + " after the end of the program");
  for (auto& [path, file] : weight_files_) model_.weight_files.push_back(file);
}

void MilParser::parse_function() {
  if (!cur_.is_ident("func")) fail(cur_, "expected 'func' or '}', found " + cur_.describe());
  advance();
  MilToken name = expect_ident("a function name after 'func'");
  for (const auto& f : model_.functions)
    if (f.name == name.text) fail(name, "function '" + std::string(name.text) + "' is defined twice");
  expect('<', "before the function's opset (func main<ios16>)");
  MilToken opset = expect_ident("an opset name such as ios16");
  expect('>', "after the opset");

  model_.functions.emplace_back();
  fn_ = &model_.functions.back();
  fn_->name = std::string(name.text);
  fn_->opset = std::string(opset.text);
  BlockId body = fn_->add_block(ir::kNone);
  fn_->specializations.push_back({fn_->opset, body});

  scopes_ = ir::ScopeStack();
  scopes_.push();
  expect('(', "to open the function's parameter list");
  if (!cur_.is(')')) {
    do {
      ir::Type t = parse_type();
      MilToken pname = expect_ident("a parameter name after its type");
      ValueId v = fn_->add_value(std::string(pname.text), t, body);
      define(pname, v);
      fn_->inputs.push_back(v);
    } while (accept(','));
  }
  expect(')', "to close the function's parameter list");
  expect('{', "to open the function body");
  parse_statements(body);
  expect('}', "to close the function body");
  parse_block_outputs(body, "after the function body");
  expect(';', "after the function's output list");
  fn_->rebuild_uses();
  fn_ = nullptr;
}

void MilParser::parse_block_outputs(BlockId block, const char* context) {
  if (cur_.kind != MilToken::Kind::Arrow) fail(cur_, std::string("expected '-> (outputs)' ") + context + ", found " + cur_.describe());
  advance();
  expect('(', "to open the output list");
  if (!cur_.is(')')) {
    do {
      MilToken out = expect_ident("an output value name");
      ValueId v = scopes_.resolve(std::string(out.text));
      if (v == ir::kNone) fail(out, "undefined value '" + std::string(out.text) + "' in the output list");
      fn_->blocks[static_cast<size_t>(block)].outputs.push_back(v);
    } while (accept(','));
  }
  expect(')', "to close the output list");
}

void MilParser::parse_statements(BlockId block) {
  while (!cur_.is('}')) {
    if (cur_.kind == MilToken::Kind::End) fail(cur_, "unexpected end of file inside a block (missing '}')");
    parse_statement(block);
  }
}

void MilParser::define(const MilToken& name_tok, ValueId v) {
  std::string n(name_tok.text);
  if (scopes_.defined_in_innermost(n)) fail(name_tok, "value '" + n + "' is defined twice (MIL values are single-assignment)");
  scopes_.define(n, v);
}

std::vector<ir::Attribute> MilParser::parse_attribute_list() {
  std::vector<ir::Attribute> attrs;
  expect('[', "to open an attribute list");
  if (!cur_.is(']')) {
    do {
      MilToken n = expect_ident("an attribute name");
      expect('=', "after the attribute name");
      if (!at_literal_start()) fail(cur_, "expected a literal value for attribute '" + std::string(n.text) + "', found " + cur_.describe());
      attrs.push_back({std::string(n.text), parse_literal()});
    } while (accept(','));
  }
  expect(']', "to close the attribute list");
  return attrs;
}

namespace {
struct PendingRef {
  size_t input, binding;
  MilToken token;
};
}  // namespace

void MilParser::parse_statement(BlockId block) {
  // results: T a, T b = ...   (or parenthesized, as some third-party emitters write it)
  struct Result { ir::Type type; MilToken name; };
  std::vector<Result> results;
  // An op without results (write_state) is printed as a bare call: `op(args)[attrs];`.
  bool no_results = cur_.kind == MilToken::Kind::Ident && next_.is('(') && !ir::dtype_from_name(cur_.text);
  if (!no_results) {
    bool paren = accept('(');
    do {
      ir::Type t = parse_type();
      MilToken n = expect_ident("a result name after its type");
      results.push_back({std::move(t), n});
    } while (accept(','));
    if (paren) expect(')', "to close the result list");
    expect('=', "after the result list");
  }
  MilToken op_tok = expect_ident("an op type after '='");

  ir::Op op;
  op.type = std::string(op_tok.text);
  std::vector<PendingRef> refs;
  if (!cur_.is('(')) fail(cur_, "expected '(' to open the arguments of '" + op.type + "', found " + cur_.describe());
  advance();
  if (!cur_.is(')')) {
    do {
      MilToken arg = expect_ident("an argument name");
      for (const auto& in : op.inputs)
        if (in.name == arg.text) fail(arg, "argument '" + in.name + "' given twice");
      expect('=', "after the argument name");
      ir::NamedInput in;
      in.name = std::string(arg.text);
      auto one_binding = [&]() {
        if (at_literal_start()) {
          in.bindings.push_back({ir::kNone, parse_literal()});
        } else if (cur_.kind == MilToken::Kind::Ident) {
          refs.push_back({op.inputs.size(), in.bindings.size(), cur_});
          in.bindings.push_back({});
          advance();
        } else {
          fail(cur_, "expected a value name or a literal for argument '" + in.name + "', found " + cur_.describe());
        }
      };
      if (accept('(')) {  // variadic: (x0, x1, ...)
        if (!cur_.is(')')) {
          do one_binding();
          while (accept(','));
        }
        expect(')', "to close the variadic argument list");
      } else {
        one_binding();
      }
      op.inputs.push_back(std::move(in));
    } while (accept(','));
  }
  if (!cur_.is(')')) fail(cur_, "expected ')' to close the arguments of '" + op.type + "', found " + cur_.describe());
  advance();

  if (cur_.is('[')) {
    for (auto& a : parse_attribute_list()) {
      if (a.name == "name") {
        auto s = a.value->scalar_string();
        if (!s) fail(op_tok, "the 'name' attribute of '" + op.type + "' is not a string");
        op.name = *s;
      } else {
        op.attributes.push_back(std::move(a));
      }
    }
  }

  // References resolve now, before the results exist: self-references and later-defined
  // names (forward references, cycles) are undefined here.
  for (const auto& r : refs) {
    ValueId v = scopes_.resolve(std::string(r.token.text));
    if (v == ir::kNone)
      fail(r.token, "undefined value '" + std::string(r.token.text) + "' (not defined before this use)",
           op.name.empty() ? op.type : op.name);
    op.inputs[r.input].bindings[r.binding].value = v;
  }

  for (const auto& r : results) op.outputs.push_back(fn_->add_value(std::string(r.name.text), r.type, block));
  OpId id = fn_->add_op(block, std::move(op));

  while (cur_.is('{') || cur_.is('(')) parse_nested_block(id, op_tok);
  expect(';', "at the end of the statement");

  for (size_t i = 0; i < results.size(); ++i) define(results[i].name, fn_->ops[static_cast<size_t>(id)].outputs[i]);
}

void MilParser::parse_nested_block(OpId op, const MilToken& op_tok) {
  if (block_depth_ >= kMilMaxNesting) fail(cur_, "nested blocks deeper than " + std::to_string(kMilMaxNesting) + " levels");
  ++block_depth_;
  BlockId b = fn_->add_block(op);
  scopes_.push();
  if (accept('(')) {  // block inputs (while_loop)
    if (!cur_.is(')')) {
      do {
        ir::Type t = parse_type();
        MilToken n = expect_ident("a block input name after its type");
        ValueId v = fn_->add_value(std::string(n.text), t, b);
        define(n, v);
        fn_->blocks[static_cast<size_t>(b)].inputs.push_back(v);
      } while (accept(','));
    }
    expect(')', "to close the block's input list");
  }
  if (!cur_.is('{')) fail(cur_, "expected '{' to open a nested block of '" + std::string(op_tok.text) + "', found " + cur_.describe());
  advance();
  parse_statements(b);
  expect('}', "to close the nested block");
  parse_block_outputs(b, "after a nested block");
  scopes_.pop();
  --block_depth_;
}

}  // namespace detail
}  // namespace mlscope::format
