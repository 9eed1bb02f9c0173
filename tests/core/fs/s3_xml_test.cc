// S3's XML read with libxml2: values by element name in document order,
// namespaces and entities handled, a body that is not XML yields nothing,
// external entities are never fetched nor expanded, deep nesting is no
// crash; XmlEscape round-trips.
#include "core/fs/s3_xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace mx {
namespace {

using ::testing::ElementsAre;

TEST(S3XmlTest, ReadsValuesOfAListing) {
  const std::string listing =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><IsTruncated>true</IsTruncated>"
      "<Contents><Key>runs/a&amp;b.params</Key></Contents>"
      "<Contents><Key>runs/&lt;x&gt;</Key></Contents>"
      "<NextContinuationToken>t+1/=</NextContinuationToken>"
      "</ListBucketResult>";
  EXPECT_THAT(XmlValues(listing, "Key"),
              ElementsAre("runs/a&b.params", "runs/<x>"));
  EXPECT_EQ(XmlValue(listing, "IsTruncated"), "true");
  EXPECT_EQ(XmlValue(listing, "NextContinuationToken"), "t+1/=");
  EXPECT_EQ(XmlValue(listing, "Missing"), "");
  const std::string error =
      "<Error><Code>NoSuchKey</Code><Message>The key does not "
      "exist</Message></Error>";
  EXPECT_EQ(XmlValue(error, "Code"), "NoSuchKey");
}

TEST(S3XmlTest, BadOrHostileBodiesYieldNothingHarmful) {
  EXPECT_TRUE(XmlValues("<html><body>502 Bad Gateway", "Code").empty());
  EXPECT_TRUE(XmlValues("", "Code").empty());
  EXPECT_TRUE(XmlValues("<Code>a</Code><Code>b</Code>", "Code").empty());
  // An external entity is neither read nor expanded.
  const std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM "
      "\"file:///etc/passwd\">]><Error><Code>&x;</Code></Error>";
  EXPECT_EQ(XmlValue(xxe, "Code").find("root:"), std::string::npos);
  // Nesting deeper than libxml2 allows: refused, not a crash.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  EXPECT_TRUE(XmlValues(deep, "a").empty());
}

TEST(S3XmlTest, EscapeRoundTrips) {
  const std::string etag = "\"3858f62230ac3c915f300c664312c11f\" <&'>";
  EXPECT_EQ(XmlValue("<ETag>" + XmlEscape(etag) + "</ETag>", "ETag"), etag);
}

}  // namespace
}  // namespace mx
