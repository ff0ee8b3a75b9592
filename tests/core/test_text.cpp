// The text module: CSV reading (RFC 4180 and the per-line dataset mode) and writing, trimming,
// durations, and the class-label files (AudioSet's class_labels_indices.csv or one name a line).
#include "patchout/error.h"
#include "patchout/text.h"

#include "data_support.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace {

using namespace patchout;
using patchout::test::expectError;
using Fields = std::vector<std::string>;

std::vector<Fields> fieldsOf(const std::vector<CsvRow>& rows) {
    std::vector<Fields> out;
    for (const auto& r : rows)
        out.push_back(r.fields);
    return out;
}

std::vector<int> linesOf(const std::vector<CsvRow>& rows) {
    std::vector<int> out;
    for (const auto& r : rows)
        out.push_back(r.line);
    return out;
}

}  // namespace

TEST(TextCsv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
    const std::string text = "name,note\n"
                             "\"a,b\",\"say \"\"hi\"\"\"\n"
                             "\"two\nlines\",x\n"
                             "last,\"\"\n";
    const auto rows = parseCsv(text, "t.csv");
    EXPECT_EQ(fieldsOf(rows), (std::vector<Fields>{{"name", "note"},
                                                   {"a,b", "say \"hi\""},
                                                   {"two\nlines", "x"},
                                                   {"last", ""}}));
    // A row keeps the line it starts on; the row after a two-line field starts on line 5.
    EXPECT_EQ(linesOf(rows), (std::vector<int>{1, 2, 3, 5}));
}

TEST(TextCsv, CrLfBomBlankLinesAndAMissingLastLineBreak) {
    const std::string text = "\xEF\xBB\xBF" "a,b\r\n\r\n1,2\r\n   \r\n3,\"x\r\ny\"\r\n4,";
    const auto rows = parseCsv(text, "t.csv");
    EXPECT_EQ(fieldsOf(rows),
              (std::vector<Fields>{{"a", "b"}, {"1", "2"}, {"3", "x\r\ny"}, {"4", ""}}));
    EXPECT_EQ(linesOf(rows), (std::vector<int>{1, 3, 5, 7}));
    EXPECT_TRUE(parseCsv("", "t.csv").empty());
    EXPECT_TRUE(parseCsv("\n\r\n", "t.csv").empty());
}

TEST(TextCsv, BlanksAreKeptUnlessTrimmingIsAsked) {
    const std::string text = "a, \"b,c\" ,\"say \"\"hi\"\"\",\n";
    EXPECT_EQ(fieldsOf(parseCsv(text, "t.csv", {.trim = true})),
              (std::vector<Fields>{{"a", "b,c", "say \"hi\"", ""}}));
    // Without trimming a quote after a blank is an ordinary character, as the RFC reads it.
    EXPECT_EQ(fieldsOf(parseCsv(" a , b\n", "t.csv")), (std::vector<Fields>{{" a ", " b"}}));
    // Quoted content keeps its blanks either way.
    EXPECT_EQ(fieldsOf(parseCsv("\" a \", \" b \"\n", "t.csv", {.trim = true})),
              (std::vector<Fields>{{" a ", " b "}}));
}

TEST(TextCsv, CommentLinesAreLeftOutWhenAsked) {
    const std::string text = "# header comment, with a comma\n  # indented\nx, 1\n#\n";
    const auto rows = parseCsv(text, "t.csv", {.trim = true, .skip_comments = true});
    EXPECT_EQ(fieldsOf(rows), (std::vector<Fields>{{"x", "1"}}));
    EXPECT_EQ(rows[0].line, 3);
    EXPECT_EQ(parseCsv(text, "t.csv", {.trim = true}).size(), 4u);
}

TEST(TextCsv, AnUnclosedQuoteNamesFileAndLine) {
    expectError([] { parseCsv("a,b\n1,2\n3,\"open\n4,5\n", "p.csv"); }, ErrorCode::BadFormat,
                "p.csv:3");
    expectError([] { parseCsv("a,b\n1,\"open", "p.csv"); }, ErrorCode::BadFormat, "not closed");
    test::TempDir dir;
    test::writeText(dir / "bad.csv", "a,b\r\n1,2\r\n\"x,3\r\n");
    expectError([&] { readCsv(dir / "bad.csv"); }, ErrorCode::BadFormat,
                (dir / "bad.csv").string() + ":3");
    expectError([&] { readCsv(dir / "none.csv"); }, ErrorCode::FileNotFound,
                (dir / "none.csv").string());
}

TEST(TextCsv, OneRowPerLineMarksAnUnclosedQuoteAndGoesOn) {
    const CsvReadOptions perLine{.trim = true, .one_row_per_line = true};
    const auto rows = parseCsv("a,b\n1,\"open\n2,\"closed\"\n3,\"at the end", "t.csv", perLine);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(linesOf(rows), (std::vector<int>{1, 2, 3, 4}));
    EXPECT_FALSE(rows[0].unclosed_quote);
    EXPECT_TRUE(rows[1].unclosed_quote);
    EXPECT_EQ(rows[1].fields, (Fields{"1", "open"}));
    EXPECT_FALSE(rows[2].unclosed_quote);
    EXPECT_EQ(rows[2].fields, (Fields{"2", "closed"}));
    EXPECT_TRUE(rows[3].unclosed_quote);
}

TEST(TextCsv, QuotingRoundTrips) {
    EXPECT_EQ(csvQuote("plain"), "plain");
    EXPECT_EQ(csvQuote(""), "");
    EXPECT_EQ(csvQuote("a,b"), "\"a,b\"");
    EXPECT_EQ(csvQuote("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csvQuote("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csvQuote("cr\r"), "\"cr\r\"");
    const std::vector<Fields> table = {{"file", "label", "note"},
                                       {"a,b.wav", "Speech, male", "say \"hi\""},
                                       {"c.wav", "", "two\nlines\r\nand a CRLF"},
                                       {" blanks ", "\"", ",,"}};
    std::string text;
    for (const auto& row : table)
        text += csvRow(row);
    EXPECT_EQ(csvRow({"a", "b,c"}), "a,\"b,c\"\n");
    EXPECT_EQ(fieldsOf(parseCsv(text, "t.csv")), table);
    test::TempDir dir;
    test::writeText(dir / "t.csv", text);
    EXPECT_EQ(fieldsOf(readCsv(dir / "t.csv")), table);
}

TEST(TextCsv, ColumnsAreFoundByNameIgnoringCaseAndBlanks) {
    const Fields header = {"Index", " mid ", "display_name"};
    EXPECT_EQ(csvColumn(header, "index"), 0);
    EXPECT_EQ(csvColumn(header, "MID"), 1);
    EXPECT_EQ(csvColumn(header, "display_name"), 2);
    EXPECT_EQ(csvColumn(header, "label"), -1);
}

TEST(TextPlain, TrimLowerSplitAndLines) {
    EXPECT_EQ(trim("  a b \t\r\n"), "a b");
    EXPECT_EQ(trim(" \t "), "");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(toLower("FileName.WAV"), "filename.wav");
    EXPECT_EQ(splitOn(" a; b ;;c", ';'), (Fields{"a", "b", "c"}));
    EXPECT_TRUE(splitOn(" ; ", ';').empty());
    test::TempDir dir;
    test::writeText(dir / "list.txt", "\xEF\xBB\xBF" "yes/a.wav\r\n\r\n  no/b.wav  \n");
    const auto lines = readLines(dir / "list.txt");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].line, 1);
    EXPECT_EQ(lines[0].text, "yes/a.wav");
    EXPECT_EQ(lines[1].line, 3);
    EXPECT_EQ(lines[1].text, "no/b.wav");
    EXPECT_THROW(readLines(dir / "none.txt"), Error);
}

TEST(TextPlain, FormatDuration) {
    EXPECT_EQ(formatDuration(0), "00:00");
    EXPECT_EQ(formatDuration(59.4), "00:59");
    EXPECT_EQ(formatDuration(59.6), "01:00");
    EXPECT_EQ(formatDuration(123), "02:03");
    EXPECT_EQ(formatDuration(3599), "59:59");
    EXPECT_EQ(formatDuration(3600), "1:00:00");
    EXPECT_EQ(formatDuration(3723), "1:02:03");
    EXPECT_EQ(formatDuration(100 * 3600 + 61), "100:01:01");
    EXPECT_EQ(formatDuration(-1), "--:--");
    EXPECT_EQ(formatDuration(std::nan("")), "--:--");
    EXPECT_EQ(formatDuration(INFINITY), "--:--");
}

TEST(TextClassLabels, ReadsAudioSetsClassLabelsIndices) {
    const auto path = std::filesystem::path(PATCHOUT_TESTS_DIR) / "reference" /
                      "tiny_class_labels_indices.csv";
    const auto labels = readClassLabels(path);
    ASSERT_EQ(labels.size(), 10u);
    EXPECT_EQ(labels[0].index, 0);
    EXPECT_EQ(labels[0].mid, "/m/09x0r");
    EXPECT_EQ(labels[0].display_name, "Speech");
    EXPECT_EQ(labels[1].display_name, "Male speech, man speaking");
    EXPECT_EQ(labels[9].index, 9);
    EXPECT_EQ(labels[9].mid, "/m/07q4ntr");
    const auto names = readClassNames(path);
    ASSERT_EQ(names.size(), 10u);
    EXPECT_EQ(names[1], "Male speech, man speaking");
    EXPECT_EQ(names[9], "Bellow");
}

TEST(TextClassLabels, AnyOrderOfColumnsCrLfAndAnEmptyNameFallsBackToTheMid) {
    test::TempDir dir;
    test::writeText(dir / "c.csv",
                    "mid,index,display_name\r\n/m/a,0,\"Dog, barking\"\r\n/m/b,1,\r\n");
    const auto labels = readClassLabels(dir / "c.csv");
    ASSERT_EQ(labels.size(), 2u);
    EXPECT_EQ(labels[0].display_name, "Dog, barking");
    EXPECT_EQ(labels[1].display_name, "/m/b");
}

TEST(TextClassLabels, MalformedFilesNameTheLine) {
    test::TempDir dir;
    const std::string head = "index,mid,display_name\n";
    test::writeText(dir / "width.csv", head + "0,/m/a,A\n1,/m/b\n");
    expectError([&] { readClassLabels(dir / "width.csv"); }, ErrorCode::BadFormat,
                (dir / "width.csv").string() + ":3");
    test::writeText(dir / "order.csv", head + "0,/m/a,A\n2,/m/b,B\n");
    expectError([&] { readClassLabels(dir / "order.csv"); }, ErrorCode::BadFormat,
                "expected index 1");
    expectError([&] { readClassNames(dir / "order.csv"); }, ErrorCode::BadFormat,
                (dir / "order.csv").string() + ":3");
    test::writeText(dir / "quote.csv", head + "0,/m/a,\"A\n");
    expectError([&] { readClassLabels(dir / "quote.csv"); }, ErrorCode::BadFormat,
                (dir / "quote.csv").string() + ":2");
    test::writeText(dir / "nomid.csv", head + "0,,A\n");
    expectError([&] { readClassLabels(dir / "nomid.csv"); }, ErrorCode::BadFormat, "no mid");
    test::writeText(dir / "header.csv", "index,name\n0,A\n");
    expectError([&] { readClassLabels(dir / "header.csv"); }, ErrorCode::BadFormat,
                (dir / "header.csv").string() + ":1");
    test::writeText(dir / "empty.csv", head);
    expectError([&] { readClassLabels(dir / "empty.csv"); }, ErrorCode::BadFormat, "no classes");
    expectError([&] { readClassLabels(dir / "none.csv"); }, ErrorCode::FileNotFound, "none.csv");
}

TEST(TextClassLabels, OtherFilesHoldOneNameALine) {
    test::TempDir dir;
    test::writeText(dir / "names.txt", "dog\r\n\r\n  Speech, male \ncat\n");
    EXPECT_EQ(readClassNames(dir / "names.txt"), (Fields{"dog", "Speech, male", "cat"}));
    test::writeText(dir / "blank.txt", "\n \n");
    expectError([&] { readClassNames(dir / "blank.txt"); }, ErrorCode::BadFormat, "no class names");
}
