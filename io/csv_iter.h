// CSVIter: one CSV row per sample, reshaped to data_shape, with an optional
// label file of the same row count (MXNet's CSVIter and its parameters).
// Files are streamed, never loaded whole, so they may exceed memory.
#ifndef MX_IO_CSV_ITER_H_
#define MX_IO_CSV_ITER_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/base/file_system.h"
#include "core/op/param.h"
#include "io/data_iter.h"
#include "io/instance_source.h"

namespace mx {
namespace io {

struct CSVIterParam {
  std::string data_csv;
  std::vector<int64_t> data_shape;
  std::string label_csv = "NULL";
  std::vector<int64_t> label_shape = {1};
  int64_t batch_size = 128;
  bool round_batch = true;
  int64_t prefetch_buffer = 4;
  int64_t num_parts = 1;
  int64_t part_index = 0;

  static void Declare(ParamDeclarer<CSVIterParam>* d);
};

// Rows of a CSV file of numbers, `width` per row, read as a stream (a local
// file or a URI: s3:// reads it by ranges, file_system.h).
class CsvReader {
 public:
  // mx::Error naming the file when it cannot be opened.
  CsvReader(std::string path, int64_t width, std::string what);
  void Rewind();
  // Parses the next non-empty row into `out`; false at the end of the file.
  // mx::Error naming the file, line and column for a malformed row.
  bool Next(float* out);
  int64_t line() const { return line_; }
  const std::string& path() const { return path_; }

 private:
  // The next line of the file (without its '\n') into text_; false at the
  // end.
  bool GetLine();

  std::string path_, what_;
  int64_t width_;
  std::unique_ptr<RandomAccessFile> file_;
  std::string buffer_;     // bytes of the file from buffer_at_
  int64_t buffer_at_ = 0;  // file offset of buffer_[0]
  size_t used_ = 0;        // of buffer_, consumed
  std::string text_;
  int64_t line_ = 0;
};

// Data rows and label rows side by side; with `num_parts` > 1 only rows i
// with i % num_parts == part_index (a stream has no known length to cut
// into contiguous parts).
class CsvSource : public InstanceSource {
 public:
  CsvSource(const std::string& data_csv, Shape data_shape,
            const std::string& label_csv, Shape label_shape,
            int64_t num_parts = 1, int64_t part_index = 0);

  Shape InstanceShape() const override { return data_shape_; }
  int64_t LabelWidth() const override { return label_shape_.Size(); }
  void Reset() override;
  // Every epoch reads the file from the start: one rewind.
  void SkipEpochs(int64_t epochs) override {
    if (epochs > 0) Reset();
  }
  bool Next(float* data, float* label, int64_t* index) override;

 private:
  // Reads the file's next row (any part); false at the end.
  bool NextRow(float* data, float* label);

  Shape data_shape_, label_shape_;
  CsvReader data_;
  std::unique_ptr<CsvReader> label_;  // null: labels are 0
  int64_t num_parts_, part_index_;
  int64_t next_index_ = 0;
  int64_t row_ = 0;  // rows of the file read so far
};

// A CSVIter from MXNet-style parameters; errors name the parameter or the
// file, line and column.
std::unique_ptr<DataIter> CreateCsvIter(const AttrDict& params);

}  // namespace io
}  // namespace mx

#endif  // MX_IO_CSV_ITER_H_
