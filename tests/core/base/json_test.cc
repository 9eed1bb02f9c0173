// The JSON reader (positions, strictness) and writer (dmlc layout), and the
// string helpers behind error messages.
#include "core/base/json.h"

#include <gtest/gtest.h>

#include "core/base/strings.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using testing::MessageOf;

TEST(JsonParse, ValuesAndPositions) {
  const JsonValue v = ParseJson(
      "{\"a\": [1, -2.5e1, true, false, null],\n \"b\": "
      "\"x\\n\\u00e9\\ud83d\\ude00\"}",
      "t.json");
  ASSERT_TRUE(v.IsObject());
  const JsonValue& a = *v.Find("a");
  ASSERT_EQ(a.items().size(), 5u);
  EXPECT_EQ(a.items()[0].number(), 1);
  EXPECT_EQ(a.items()[1].number(), -25);
  EXPECT_EQ(a.items()[1].number_text(), "-2.5e1");
  EXPECT_TRUE(a.items()[2].bool_value());
  EXPECT_TRUE(a.items()[4].IsNull());
  const JsonValue& b = *v.Find("b");
  EXPECT_EQ(b.str(), "x\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(b.line(), 2);
  EXPECT_EQ(b.column(), 7);
  EXPECT_EQ(v.Find("c"), nullptr);
}

TEST(JsonParse, ErrorsNameSourceLineAndColumn) {
  EXPECT_EQ(MessageOf([] { ParseJson("{\"a\": 1,\n  }", "f.json"); }),
            "f.json:2:3: malformed JSON: expected a quoted object key");
  EXPECT_EQ(MessageOf([] { ParseJson("[1, 2", "f.json"); }),
            "f.json:1:6: malformed JSON: expected ']' but the text ended");
  EXPECT_EQ(MessageOf([] { ParseJson("[01]", "f.json"); }),
            "f.json:1:3: malformed JSON: expected ']' but found '1'");
  EXPECT_EQ(MessageOf([] { ParseJson("{} x", "f.json"); }),
            "f.json:1:4: malformed JSON: unexpected text after the JSON value");
  EXPECT_EQ(MessageOf([] { ParseJson("\"a\tb\"", "f.json"); }),
            "f.json:1:3: malformed JSON: control character inside a string "
            "(escape it)");
  EXPECT_EQ(MessageOf([] { ParseJson("{\"k\": 1, \"k\": 2}", "f.json"); }),
            "f.json:1:10: malformed JSON: duplicate key \"k\"");
  EXPECT_NE(MessageOf([] {
              ParseJson(std::string(300, '['), "f.json");
            }).find("nesting deeper than 200 levels"),
            std::string::npos);
  EXPECT_NE(MessageOf([] {
              ParseJson("", "f.json");
            }).find("expected a value but the text ended"),
            std::string::npos);
  EXPECT_NE(MessageOf([] {
              ParseJson("\"\\ud800\"", "f.json");
            }).find("unpaired UTF-16 surrogate"),
            std::string::npos);
}

TEST(JsonWriter, ReproducesDmlcLayout) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("list");
  w.BeginArray(false);
  w.NextItem();
  w.Int(1);
  w.NextItem();
  w.Int(2);
  w.EndArray();
  w.Key("empty");
  w.BeginArray();
  w.EndArray();
  w.Key("one");
  w.BeginObject(false);
  w.Key("k");
  w.String("v\"\n");
  w.EndObject();
  w.Key("lines");
  w.BeginArray();
  w.NextItem();
  w.Int(7);
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(out,
            "{\n  \"list\": [1, 2], \n  \"empty\": [], \n  \"one\": {\"k\": "
            "\"v\\\"\\n\"}, \n  \"lines\": [\n    7\n  ]\n}");
  EXPECT_EQ(ParseJson(out, "out").Find("one")->Find("k")->str(), "v\"\n");
}

TEST(Strings, PythonFormatting) {
  EXPECT_EQ(PythonFloatRepr(1.0), "1.0");
  EXPECT_EQ(PythonFloatRepr(0.5), "0.5");
  EXPECT_EQ(PythonFloatRepr(0.1), "0.1");
  EXPECT_EQ(PythonFloatRepr(1e-3), "0.001");
  EXPECT_EQ(PythonFloatRepr(1e-5), "1e-05");
  EXPECT_EQ(PythonFloatRepr(1e6), "1000000.0");
  EXPECT_EQ(PythonFloatRepr(1e16), "1e+16");
  EXPECT_EQ(PythonFloatRepr(-2.25), "-2.25");
  EXPECT_EQ(PythonFloatRepr(0.334), "0.334");
  EXPECT_EQ(PythonTuple({}), "()");
  EXPECT_EQ(PythonTuple({5}), "(5,)");
  EXPECT_EQ(PythonTuple({3, 3}), "(3, 3)");
  EXPECT_EQ(PythonTupleOf({"a"}), "(a,)");
  EXPECT_EQ(PythonTupleOf({"a", "cpu(0)"}), "(a, cpu(0))");
}

TEST(Strings, NearestMatch) {
  const std::vector<std::string> keys = {"num_hidden", "no_bias", "flatten"};
  EXPECT_EQ(NearestMatch("num_hiden", keys), "num_hidden");
  EXPECT_EQ(NearestMatch("NO_BIAS", keys), "no_bias");
  EXPECT_EQ(NearestMatch("flat", keys), "flatten");
  EXPECT_EQ(NearestMatch("kernel", keys), "");
  EXPECT_EQ(DidYouMean("kernel", keys), "");
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Trim("  x y \n"), "x y");
}

}  // namespace
}  // namespace mx
