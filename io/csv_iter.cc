#include "io/csv_iter.h"

#include <algorithm>
#include <any>
#include <cerrno>
#include <cstdlib>
#include <utility>

#include "core/base/error.h"
#include "io/batch_loader.h"
#include "io/iter_params.h"
#include "io/prefetcher.h"

namespace mx {
namespace io {

void CSVIterParam::Declare(ParamDeclarer<CSVIterParam>* d) {
  d->Field("data_csv", &CSVIterParam::data_csv)
      .Required()
      .Doc("The data file: one sample per row, comma-separated numbers.");
  d->Field("data_shape", &CSVIterParam::data_shape)
      .Required()
      .Min(1)
      .Doc("Shape of one sample; a row has as many numbers as it holds.");
  d->Field("label_csv", &CSVIterParam::label_csv)
      .Default("NULL")
      .Doc("The label file, one row per data row; \"NULL\": labels are 0.");
  d->Field("label_shape", &CSVIterParam::label_shape)
      .Default({1})
      .Min(1)
      .Doc("Shape of one sample's label.");
  d->Field("batch_size", &CSVIterParam::batch_size)
      .Default(128)
      .Min(1)
      .Doc("Samples per batch.");
  d->Field("round_batch", &CSVIterParam::round_batch)
      .Default(true)
      .Doc(
          "Complete the last batch from the next epoch (which then "
          "continues after those samples); otherwise repeat the epoch's "
          "first samples. Either way the batch's pad says how many.");
  d->Field("prefetch_buffer", &CSVIterParam::prefetch_buffer)
      .Default(4)
      .Min(0)
      .Doc("Batches parsed ahead on a background thread.");
  DeclarePartFields(d,
                    "Split the rows into this many parts (distributed "
                    "training): part k has rows k, k + num_parts, "
                    "k + 2 num_parts, ...");
}

CsvReader::CsvReader(std::string path, int64_t width, std::string what)
    : path_(std::move(path)), what_(std::move(what)), width_(width) {
  try {
    file_ = FileSystemFor(path_).OpenRead(path_);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    MX_THROW("cannot open ", what_, " '", path_, "': ", e.what());
  }
}

void CsvReader::Rewind() {
  buffer_.clear();
  buffer_at_ = 0;
  used_ = 0;
  line_ = 0;
}

bool CsvReader::GetLine() {
  constexpr int64_t kChunk = 1 << 20;
  for (;;) {
    const size_t end = buffer_.find('\n', used_);
    if (end != std::string::npos) {
      text_.assign(buffer_, used_, end - used_);
      used_ = end + 1;
      return true;
    }
    // Keep the partial line, read the next chunk after it.
    buffer_at_ += static_cast<int64_t>(used_);
    buffer_.erase(0, used_);
    used_ = 0;
    const int64_t from = buffer_at_ + static_cast<int64_t>(buffer_.size());
    const size_t had = buffer_.size();
    buffer_.resize(had + kChunk);
    const int64_t got = file_->ReadAt(from, kChunk, buffer_.data() + had);
    buffer_.resize(had + static_cast<size_t>(got));
    if (got == 0) {
      if (buffer_.empty()) return false;
      text_ = buffer_;  // a last line without '\n'
      used_ = buffer_.size();
      return true;
    }
  }
}

bool CsvReader::Next(float* out) {
  for (;;) {
    if (!GetLine()) return false;
    ++line_;
    const size_t first = text_.find_first_not_of(" \t\r");
    if (first != std::string::npos) break;  // skip blank lines
  }
  const char* p = text_.c_str();
  int64_t column = 0;
  for (;;) {
    while (*p == ' ' || *p == '\t') ++p;
    const char* start = p;
    while (*p != ',' && *p != '\0' && *p != '\r') ++p;
    std::string token(start, p);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
      token.pop_back();
    }
    ++column;
    MX_CHECK(column <= width_, "'", path_, "' line ", line_, ": more than ",
             width_, " values (", what_, " rows hold ", width_, ")");
    char* end = nullptr;
    errno = 0;
    const float v = std::strtof(token.c_str(), &end);
    MX_CHECK(!token.empty() && *end == '\0' && errno != ERANGE, "'", path_,
             "' line ", line_, ", column ", column, ": '", token,
             "' is not a number");
    out[column - 1] = v;
    if (*p != ',') break;
    ++p;
  }
  MX_CHECK(column == width_, "'", path_, "' line ", line_, ": ", column,
           " values, expected ", width_, " (", what_, " rows hold ", width_,
           ")");
  return true;
}

CsvSource::CsvSource(const std::string& data_csv, Shape data_shape,
                     const std::string& label_csv, Shape label_shape,
                     int64_t num_parts, int64_t part_index)
    : data_shape_(std::move(data_shape)),
      label_shape_(std::move(label_shape)),
      data_(data_csv, data_shape_.Size(),
            StrCat("data_csv of data_shape ", data_shape_)),
      num_parts_(num_parts),
      part_index_(part_index) {
  if (label_csv != "NULL") {
    label_ = std::make_unique<CsvReader>(
        label_csv, label_shape_.Size(),
        StrCat("label_csv of label_shape ", label_shape_));
  }
}

void CsvSource::Reset() {
  data_.Rewind();
  if (label_) label_->Rewind();
  next_index_ = 0;
  row_ = 0;
}

bool CsvSource::Next(float* data, float* label, int64_t* index) {
  // Rows of other parts are read (and checked) too, then passed over.
  while (row_ % num_parts_ != part_index_) {
    if (!NextRow(data, label)) return false;
  }
  if (!NextRow(data, label)) return false;
  *index = next_index_++;
  return true;
}

bool CsvSource::NextRow(float* data, float* label) {
  ++row_;
  const bool has_data = data_.Next(data);
  if (label_) {
    const bool has_label = label_->Next(label);
    MX_CHECK(has_data == has_label, "'", data_.path(), "' has ",
             has_data ? "more" : "fewer", " rows than '", label_->path(), "' (",
             (has_data ? label_->line() : data_.line()), " rows)");
  } else if (has_data) {
    std::fill(label, label + label_shape_.Size(), 0.f);
  }
  return has_data;
}

std::unique_ptr<DataIter> CreateCsvIter(const AttrDict& params) {
  static const auto schema = MakeParamSchema<CSVIterParam>();
  const auto p = std::any_cast<CSVIterParam>(schema->Parse(params, "CSVIter"));
  BatchOptions batch;
  batch.batch_size = p.batch_size;
  batch.last_batch = p.round_batch ? LastBatch::kRoundBatch : LastBatch::kPad;
  return std::make_unique<Prefetcher>(
      std::make_unique<BatchLoader>(
          std::make_unique<CsvSource>(p.data_csv, Shape(p.data_shape),
                                      p.label_csv, Shape(p.label_shape),
                                      p.num_parts, p.part_index),
          batch),
      p.prefetch_buffer);
}

}  // namespace io
}  // namespace mx
