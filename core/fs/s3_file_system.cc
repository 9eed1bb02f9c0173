// s3://bucket/key files over HTTP with libcurl, which signs every request
// with AWS Signature V4 (CURLOPT_AWS_SIGV4; no crypto of ours). Note [File
// systems]. Configuration from the standard environment:
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (required), AWS_SESSION_TOKEN,
//   AWS_REGION or AWS_DEFAULT_REGION (default us-east-1),
//   AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (an S3-compatible store; default
//   https://s3.<region>.amazonaws.com),
//   MX_S3_PATH_STYLE (1: https://host/bucket/key, the default with an
//   endpoint; 0: https://bucket.host/key, the default for AWS),
//   MX_S3_PART_MB (multipart upload part size, default 16, at least 5),
//   MX_S3_READ_BLOCK_KB (bytes a ranged read fetches, default 4096),
//   MX_S3_RETRIES (default 4), MX_S3_TIMEOUT and MX_S3_MIN_SPEED_KB: an
//   attempt fails once it has run MX_S3_TIMEOUT seconds (default 60) more
//   than its bytes take at MX_S3_MIN_SPEED_KB KiB/s (default 64), so a
//   stalled or trickling store never holds a request forever.
// A whole-object read (ReadAll) holds at most half the machine's memory: a
// larger announced body is refused before it is read.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/base/file_system.h"
#include "core/base/strings.h"
#include "core/fs/s3_xml.h"

namespace mx {
namespace {

struct S3Uri {
  std::string bucket, key;
};

S3Uri ParseS3Uri(const std::string& uri) {
  MX_CHECK(StartsWith(uri, "s3://"), "'", uri, "' is not an s3:// URI");
  const std::string rest = uri.substr(5);
  const size_t slash = rest.find('/');
  S3Uri u;
  u.bucket = rest.substr(0, slash);
  u.key = slash == std::string::npos ? "" : rest.substr(slash + 1);
  MX_CHECK(!u.bucket.empty(), "'", uri,
           "': no bucket (expected s3://bucket/key)");
  return u;
}

// `s` percent-encoded by libcurl (all but unreserved characters, as S3's
// canonical requests need); with `path`, each '/'-separated part, the '/'
// kept.
std::string Escape(CURL* h, const std::string& s, bool path) {
  if (path && s.find('/') != std::string::npos) {
    std::vector<std::string> parts;
    size_t begin = 0;
    while (true) {
      const size_t slash = s.find('/', begin);
      parts.push_back(Escape(h, s.substr(begin, slash - begin), false));
      if (slash == std::string::npos) break;
      begin = slash + 1;
    }
    return Join(parts, "/");
  }
  MX_CHECK(s.size() <= static_cast<size_t>(INT_MAX), "an S3 name of ", s.size(),
           " bytes");
  std::unique_ptr<char, void (*)(void*)> escaped(
      curl_easy_escape(h, s.data(), static_cast<int>(s.size())), curl_free);
  MX_CHECK(escaped != nullptr, "libcurl could not escape an S3 name");
  return escaped.get();
}

struct Config {
  std::string access_key, secret_key, session_token, region, endpoint;
  bool path_style = false;
  int64_t retries = 4, timeout = 60, min_speed_kb = 64;
};

Config ReadConfig(const std::string& uri) {
  Config c;
  c.access_key = EnvString("AWS_ACCESS_KEY_ID", "");
  c.secret_key = EnvString("AWS_SECRET_ACCESS_KEY", "");
  MX_CHECK(!c.access_key.empty() && !c.secret_key.empty(), "'", uri,
           "': no AWS credentials: set AWS_ACCESS_KEY_ID and "
           "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)");
  c.session_token = EnvString("AWS_SESSION_TOKEN", "");
  c.region = EnvString("AWS_REGION", EnvString("AWS_DEFAULT_REGION", ""));
  if (c.region.empty()) c.region = "us-east-1";
  c.endpoint =
      EnvString("AWS_ENDPOINT_URL_S3", EnvString("AWS_ENDPOINT_URL", ""));
  const bool custom = !c.endpoint.empty();
  if (!custom) c.endpoint = "https://s3." + c.region + ".amazonaws.com";
  while (EndsWith(c.endpoint, "/")) c.endpoint.pop_back();
  MX_CHECK(
      StartsWith(c.endpoint, "http://") || StartsWith(c.endpoint, "https://"),
      "AWS_ENDPOINT_URL '", c.endpoint,
      "' must start with http:// or https://");
  c.path_style = EnvInt("MX_S3_PATH_STYLE", custom ? 1 : 0, 0, 1) == 1;
  c.retries = EnvInt("MX_S3_RETRIES", 4, 0, 100);
  c.timeout = EnvInt("MX_S3_TIMEOUT", 60, 1, 86400);
  c.min_speed_kb = EnvInt("MX_S3_MIN_SPEED_KB", 64, 1, 1 << 20);
  return c;
}

struct Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct Request {
  std::string method = "GET";
  S3Uri where;
  std::map<std::string, std::string> query;  // sorted, as signing wants
  std::vector<std::string> headers;
  std::string_view body;
  bool no_body = false;   // HEAD
  int64_t max_body = -1;  // bytes the response body may have (-1: any)
};

// What the callbacks of one attempt share.
struct Transfer {
  Response* out;
  int64_t max_body;
  int64_t too_large = -1;  // the refused body size, once refused
  std::chrono::steady_clock::time_point start;
  double timeout, min_bytes_per_second;
  double deadline = 0;  // seconds, once passed
};

// Refuses a body larger than the transfer's bound (announced or received).
bool BodyFits(Transfer* t, int64_t size) {
  if (t->max_body < 0 || size <= t->max_body) return true;
  t->too_large = size;
  return false;
}

size_t OnBody(char* data, size_t size, size_t n, void* arg) {
  Transfer* t = static_cast<Transfer*>(arg);
  std::string& body = t->out->body;
  if (!BodyFits(t, static_cast<int64_t>(body.size() + size * n))) return 0;
  try {
    body.append(data, size * n);
  } catch (const std::bad_alloc&) {
    t->too_large = static_cast<int64_t>(body.size() + size * n);
    return 0;
  }
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* arg) {
  Transfer* t = static_cast<Transfer*>(arg);
  const std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    const size_t b = value.find_first_not_of(" \t");
    const size_t e = value.find_last_not_of(" \t\r\n");
    value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    if (name == "content-length" &&
        !BodyFits(t, std::strtoll(value.c_str(), nullptr, 10))) {
      return 0;
    }
    t->out->headers[name] = value;
  }
  return size * n;
}

// Ends the attempt once it has run `timeout` seconds longer than its bytes
// (announced or moved so far, either way) take at the minimum speed.
int OnProgress(void* arg, curl_off_t down_total, curl_off_t down_now,
               curl_off_t up_total, curl_off_t up_now) {
  Transfer* t = static_cast<Transfer*>(arg);
  const double bytes =
      static_cast<double>(std::max({down_total, down_now, up_total, up_now}));
  const double allowed = t->timeout + bytes / t->min_bytes_per_second;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t->start)
          .count();
  if (elapsed <= allowed) return 0;
  t->deadline = allowed;
  return 1;
}

class S3FileSystem;

class S3Client {
 public:
  S3Client() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  // Sends `r` (retrying network failures, 5xx and 429 with backoff) and
  // returns the final response; mx::Error naming `uri` when the network
  // fails every attempt.
  Response Send(const Request& r, const std::string& uri) {
    const Config c = ReadConfig(uri);
    std::string error;
    for (int64_t attempt = 0;; ++attempt) {
      Response out;
      const bool sent = SendOnce(c, r, uri, &out, &error);
      const bool transient = !sent || out.status >= 500 || out.status == 429;
      if (!transient || attempt >= c.retries) {
        MX_CHECK(sent, "'", uri, "': ", r.method, " failed after ", attempt + 1,
                 " attempts: ", error, " (endpoint ", c.endpoint, ")");
        return out;
      }
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min<int64_t>(100 << attempt, 5000)));
    }
  }

 private:
  bool SendOnce(const Config& c, const Request& r, const std::string& uri,
                Response* out, std::string* error) {
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(),
                                                curl_easy_cleanup);
    MX_CHECK(curl != nullptr, "libcurl could not start a request");
    CURL* h = curl.get();
    std::string url;
    const size_t scheme_end = c.endpoint.find("://") + 3;
    if (c.path_style) {
      url = c.endpoint + "/" + Escape(h, r.where.bucket, false) + "/" +
            Escape(h, r.where.key, true);
    } else {
      url = c.endpoint.substr(0, scheme_end) + r.where.bucket + "." +
            c.endpoint.substr(scheme_end) + "/" + Escape(h, r.where.key, true);
    }
    char sep = '?';
    for (const auto& [name, value] : r.query) {
      url += sep + Escape(h, name, false) + "=" + Escape(h, value, false);
      sep = '&';
    }
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    Transfer t{out,
               r.max_body,
               -1,
               std::chrono::steady_clock::now(),
               static_cast<double>(c.timeout),
               c.min_speed_kb * 1024.0};
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    const std::string sigv4 = "aws:amz:" + c.region + ":s3";
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, c.access_key.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, c.secret_key.c_str());
    curl_slist* headers = nullptr;
    std::vector<std::string> lines = r.headers;
    lines.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
    if (!c.session_token.empty()) {
      lines.push_back("x-amz-security-token: " + c.session_token);
    }
    if (r.method == "PUT" || r.method == "POST") {
      lines.push_back("Content-Type: application/octet-stream");
      lines.push_back("Expect:");  // no 100-continue round trip
    }
    for (const std::string& line : lines) {
      headers = curl_slist_append(headers, line.c_str());
    }
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> free_headers(
        headers, curl_slist_free_all);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (r.no_body) {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (r.method == "PUT" || r.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(r.body.size()));
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    } else if (r.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    const CURLcode code = curl_easy_perform(h);
    // Not worth a retry: the store would send the same body again.
    MX_CHECK(t.too_large < 0, "'", uri, "': the store sends ", t.too_large,
             " bytes, more than a whole-file read may hold (", r.max_body,
             " bytes, half of this machine's memory)");
    if (code != CURLE_OK) {
      *error = t.deadline > 0 ? StrCat("no answer within its deadline of ",
                                       static_cast<int64_t>(t.deadline),
                                       " s (MX_S3_TIMEOUT ", c.timeout,
                                       " s + its bytes at MX_S3_MIN_SPEED_KB ",
                                       c.min_speed_kb, " KiB/s)")
                              : curl_easy_strerror(code);
      return false;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    return true;
  }
};

S3Client& Client() {
  static S3Client* client = new S3Client();
  return *client;
}

// mx::Error for a response that is not `ok`, naming the URI, what S3 said
// and, for the usual causes, what to do.
void CheckResponse(const Response& r, const std::string& uri,
                   const std::string& what, long ok = 200) {
  if (r.status == ok || (ok == 200 && r.status == 206)) return;
  const std::string code = XmlValue(r.body, "Code");
  const std::string message = XmlValue(r.body, "Message");
  const std::string said =
      code.empty() ? StrCat("HTTP ", r.status)
                   : StrCat(code, message.empty() ? "" : ": " + message,
                            " (HTTP ", r.status, ")");
  const S3Uri u = ParseS3Uri(uri);
  if (code == "NoSuchBucket") {
    MX_THROW("'", uri, "': no such bucket '", u.bucket, "'");
  }
  if (code == "NoSuchKey" || (r.status == 404 && code.empty())) {
    MX_THROW("'", uri, "': no such key '", u.key, "' in bucket '", u.bucket,
             "'");
  }
  if (r.status == 403) {
    MX_THROW("'", uri, "': access denied (", said,
             "); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
             "AWS_SESSION_TOKEN and the bucket's permissions");
  }
  MX_THROW("'", uri, "': ", what, " failed: ", said);
}

Request For(const std::string& uri, const std::string& method) {
  Request r;
  r.method = method;
  r.where = ParseS3Uri(uri);
  return r;
}

// Half of this machine's memory: the most one whole-object read may hold.
int64_t MaxWholeRead() { return PhysicalMemoryBytes() / 2; }

// Ranged GETs of whole blocks (MX_S3_READ_BLOCK_KB, default 4096), the last
// few kept: records and lines read in order cost one request per block.
class S3File : public RandomAccessFile {
 public:
  explicit S3File(std::string uri)
      : uri_(std::move(uri)),
        block_(EnvInt("MX_S3_READ_BLOCK_KB", 4096, 4, 1 << 20) * 1024) {
    Request head = For(uri_, "HEAD");
    head.no_body = true;
    const Response r = Client().Send(head, uri_);
    if (r.status == 404) {
      // HEAD has no body: ask again with GET for S3's error code.
      Request get = For(uri_, "GET");
      get.headers.push_back("Range: bytes=0-0");
      CheckResponse(Client().Send(get, uri_), uri_, "GET");
    }
    CheckResponse(r, uri_, "HEAD");
    const auto length = r.headers.find("content-length");
    MX_CHECK(length != r.headers.end(), "'", uri_,
             "': the store sent no Content-Length");
    char* end = nullptr;
    size_ = std::strtoll(length->second.c_str(), &end, 10);
    MX_CHECK(!length->second.empty() && *end == '\0' && size_ >= 0, "'", uri_,
             "': the store sent Content-Length '", length->second,
             "', not a size");
  }
  int64_t Size() const override { return size_; }
  int64_t ReadAt(int64_t offset, int64_t n, char* out) override {
    if (offset >= size_ || n <= 0) return 0;
    n = std::min(n, size_ - offset);
    int64_t done = 0;
    while (done < n) {
      const int64_t at = offset + done;
      const int64_t first = at / block_ * block_;
      std::shared_ptr<const std::string> data = Block(first);
      const int64_t take = std::min<int64_t>(
          n - done, static_cast<int64_t>(data->size()) - (at - first));
      MX_CHECK(take > 0, "'", uri_, "': the store sent less than its size");
      std::memcpy(out + done, data->data() + (at - first), take);
      done += take;
    }
    return n;
  }

 private:
  // The block starting at `first` (several threads may read at once).
  std::shared_ptr<const std::string> Block(int64_t first) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& [start, data] : cache_) {
        if (start == first) return data;
      }
    }
    const int64_t last = std::min(size_, first + block_) - 1;
    Request get = For(uri_, "GET");
    get.headers.push_back(StrCat("Range: bytes=", first, "-", last));
    get.max_body = MaxWholeRead();  // a store ignoring Range sends it all
    Response r = Client().Send(get, uri_);
    CheckResponse(r, uri_, "GET");
    // A store ignoring Range sends the whole object (200).
    if (r.status == 200) r.body = r.body.substr(first, last - first + 1);
    MX_CHECK(static_cast<int64_t>(r.body.size()) == last - first + 1, "'", uri_,
             "': asked for bytes ", first, "-", last, ", got ", r.body.size());
    auto data = std::make_shared<const std::string>(std::move(r.body));
    std::lock_guard<std::mutex> lock(mutex_);
    cache_.emplace_back(first, data);
    if (cache_.size() > 4) cache_.erase(cache_.begin());
    return data;
  }

  std::string uri_;
  const int64_t block_;
  int64_t size_ = 0;
  std::mutex mutex_;
  std::vector<std::pair<int64_t, std::shared_ptr<const std::string>>> cache_;
};

// Buffers a part; a file smaller than one part is one PUT, a larger one a
// multipart upload completed by Commit (aborted when dropped): S3 shows the
// object only once it is whole.
class S3Writer : public FileWriter {
 public:
  explicit S3Writer(std::string uri)
      : uri_(std::move(uri)),
        part_bytes_(EnvInt("MX_S3_PART_MB", 16, 5, 5 * 1024) << 20) {
    ParseS3Uri(uri_);
    ReadConfig(uri_);  // missing credentials fail now, not at Commit
  }
  ~S3Writer() override {
    if (committed_ || upload_id_.empty()) return;
    try {
      Request abort = For(uri_, "DELETE");
      abort.query["uploadId"] = upload_id_;
      Client().Send(abort, uri_);
    } catch (const std::exception&) {
      // The store drops incomplete uploads by its lifecycle rules.
    }
  }
  void Write(std::string_view bytes) override {
    MX_CHECK(!committed_, "'", uri_, "': written after Commit");
    buffer_.append(bytes);
    while (static_cast<int64_t>(buffer_.size()) >= part_bytes_) {
      UploadPart(std::string_view(buffer_).substr(0, part_bytes_));
      buffer_.erase(0, part_bytes_);
    }
  }
  void Commit() override {
    MX_CHECK(!committed_, "'", uri_, "': committed twice");
    if (upload_id_.empty()) {
      Request put = For(uri_, "PUT");
      put.body = buffer_;
      CheckResponse(Client().Send(put, uri_), uri_, "PUT");
    } else {
      if (!buffer_.empty()) UploadPart(buffer_);
      std::string xml = "<CompleteMultipartUpload>";
      for (size_t i = 0; i < etags_.size(); ++i) {
        xml += StrCat("<Part><PartNumber>", i + 1, "</PartNumber><ETag>",
                      XmlEscape(etags_[i]), "</ETag></Part>");
      }
      xml += "</CompleteMultipartUpload>";
      Request done = For(uri_, "POST");
      done.query["uploadId"] = upload_id_;
      done.body = xml;
      const Response r = Client().Send(done, uri_);
      CheckResponse(r, uri_, "completing the multipart upload");
      // S3 may report a failure inside a 200 response.
      MX_CHECK(XmlValue(r.body, "Code").empty(), "'", uri_,
               "': completing the multipart upload failed: ",
               XmlValue(r.body, "Code"), ": ", XmlValue(r.body, "Message"));
    }
    committed_ = true;
    buffer_.clear();
  }

 private:
  void UploadPart(std::string_view part) {
    if (upload_id_.empty()) {
      Request start = For(uri_, "POST");
      start.query["uploads"] = "";
      const Response r = Client().Send(start, uri_);
      CheckResponse(r, uri_, "starting a multipart upload");
      upload_id_ = XmlValue(r.body, "UploadId");
      MX_CHECK(!upload_id_.empty(), "'", uri_,
               "': the store started a multipart upload without an id");
    }
    Request put = For(uri_, "PUT");
    put.query["partNumber"] = StrCat(etags_.size() + 1);
    put.query["uploadId"] = upload_id_;
    put.body = part;
    const Response r = Client().Send(put, uri_);
    CheckResponse(r, uri_, StrCat("uploading part ", etags_.size() + 1));
    const auto etag = r.headers.find("etag");
    MX_CHECK(etag != r.headers.end(), "'", uri_, "': part ", etags_.size() + 1,
             " uploaded without an ETag");
    etags_.push_back(etag->second);
  }

  std::string uri_;
  int64_t part_bytes_;
  std::string buffer_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  bool committed_ = false;
};

class S3FileSystem : public FileSystem {
 public:
  std::string ReadAll(const std::string& uri) override {
    Request get = For(uri, "GET");
    get.max_body = MaxWholeRead();
    const Response r = Client().Send(get, uri);
    CheckResponse(r, uri, "GET");
    return r.body;
  }
  std::unique_ptr<RandomAccessFile> OpenRead(const std::string& uri) override {
    return std::make_unique<S3File>(uri);
  }
  std::unique_ptr<FileWriter> OpenWrite(const std::string& uri) override {
    return std::make_unique<S3Writer>(uri);
  }
  bool Exists(const std::string& uri) override {
    Request head = For(uri, "HEAD");
    head.no_body = true;
    const Response r = Client().Send(head, uri);
    if (r.status == 404) return false;
    CheckResponse(r, uri, "HEAD");
    return true;
  }
  std::vector<std::string> List(const std::string& uri) override {
    const S3Uri u = ParseS3Uri(uri);
    std::string prefix = u.key;
    if (!prefix.empty() && !EndsWith(prefix, "/")) prefix += "/";
    std::vector<std::string> names;
    std::string token;
    do {
      Request list = For("s3://" + u.bucket, "GET");
      list.query = {{"delimiter", "/"}, {"list-type", "2"}, {"prefix", prefix}};
      if (!token.empty()) list.query["continuation-token"] = token;
      const Response r = Client().Send(list, uri);
      if (r.status == 404 && XmlValue(r.body, "Code") == "NoSuchBucket") {
        MX_THROW("'", uri, "': no such bucket '", u.bucket, "'");
      }
      CheckResponse(r, uri, "listing");
      for (const std::string& key : XmlValues(r.body, "Key")) {
        if (StartsWith(key, prefix)) names.push_back(key.substr(prefix.size()));
      }
      token = XmlValue(r.body, "IsTruncated") == "true"
                  ? XmlValue(r.body, "NextContinuationToken")
                  : "";
    } while (!token.empty());
    std::sort(names.begin(), names.end());
    return names;
  }
  void Remove(const std::string& uri) override {
    const Response r = Client().Send(For(uri, "DELETE"), uri);
    if (r.status == 404) return;
    CheckResponse(r, uri, "DELETE", 204);
  }
};

const bool kRegistered = [] {
  RegisterFileSystem("s3", [] { return new S3FileSystem(); });
  return true;
}();

}  // namespace
}  // namespace mx
