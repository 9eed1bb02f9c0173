// mxinfer: runs a saved model (prefix-symbol.json + prefix-NNNN.params, ours
// or MXNet's, or an ONNX model file: --model net.onnx) on data: top-k
// predictions (printed, or written as CSV / JSON lines), accuracy against
// labels, and latency / throughput benchmarks.
//   mxinfer --model runs/fashion_lenet/model --epoch 10
//       --input t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz
//   mxinfer --model M --epoch 3 --input shirt.png --data-shape 1,28,28
//       --top-k 3
//   mxinfer --model M --epoch 3 --benchmark --data-shape 1,28,28
//       --batch-size 64
// Exit codes: 0 success, 2 bad flags, 3 unreadable model or data, 1 other.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/file_system.h"
#include "core/base/file_util.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/base/tool_main.h"
#include "core/engine/engine.h"
#include "core/executor/executor.h"
#include "core/gpu/gpu.h"
#include "core/train/checkpoint.h"
#include "core/train/confusion_matrix.h"
#include "core/train/fold_batch_norm.h"
#include "core/train/loss_heads.h"
#include "core/train/metric.h"
#include "core/train/model_info.h"
#include "interop/onnx/importer.h"
#include "io/im2rec.h"
#include "io/image_ops.h"
#include "io/iter_registry.h"
#include "io/mnist_file.h"
#include "io/ndarray_iter.h"
#include "tools/common/classification_report.h"
#include "tools/common/cli.h"

namespace mx {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitData = 3;

struct Options {
  std::string model;
  int epoch = -1;
  std::vector<std::string> inputs;
  std::string labels;
  std::string format = "auto";
  std::string root = ".";
  std::vector<int64_t> data_shape;
  int64_t batch_size = 64;
  int top_k = 1;
  std::string output;
  double scale = -1;  // -1: the iterator's default
  bool benchmark = false;
  bool keep_batchnorm = false;  // no BatchNorm folding
  int iterations = 200;
  std::string device = "cpu";
  Context ctx = Context::CPU();
  // An ONNX model's declared input shape (-1: symbolic); empty otherwise.
  std::vector<int64_t> onnx_input;
  // Where the classification report goes ("": the model's folder).
  std::string report_dir;
  // The output to predict with, of a model of several ("": the first).
  std::string head;
  // From the checkpoint's -meta.json (core/train/model_info.h), or the
  // model's head: the task and the class names.
  std::string task;
  std::vector<std::string> classes;
};

bool IsOnnx(const std::string& model) {
  return EndsWith(ToLower(model), ".onnx");
}

// An ONNX model as a checkpoint whose one data input is "data" and whose
// output is a class distribution: a softmax is added after outputs that are
// not one (logits, as PyTorch's classifiers end). mx::Error for models with
// several inputs or outputs (onnx_io::SingleInputAs).
Checkpoint LoadOnnx(const std::string& path, std::vector<int64_t>* declared) {
  onnx_io::ImportedModel m = onnx_io::ImportModel(path);
  Checkpoint c;
  try {
    c.symbol = onnx_io::SingleInputAs(m, "data");
  } catch (const Error& e) {
    MX_THROW("'", path, "': ", e.what());
  }
  *declared = m.inputs[0].dims;
  const std::string head = c.symbol.outputs()[0].node->attrs.op->name();
  if (head != "softmax" && head != "SoftmaxOutput" &&
      head != "SoftmaxActivation") {
    c.symbol = Symbol::Create("softmax", {c.symbol},
                              {{"name", "mxinfer_softmax"}, {"axis", -1}});
  }
  c.args = std::move(m.args);
  c.aux = std::move(m.aux);
  return c;
}

// For an ONNX model declared with another rank than the data (a flat (N,
// 784) input fed 1x28x28 images), the data reshaped to the declared sample
// shape when the sizes agree; the checkpoint as it is otherwise.
Checkpoint AdaptToData(const Checkpoint& c, const Options& o,
                       const Shape& data_shape) {
  const std::vector<int64_t>& d = o.onnx_input;
  if (d.size() < 2 || static_cast<int>(d.size()) == data_shape.ndim()) {
    return c;
  }
  int64_t per = 1;
  for (size_t i = 1; i < d.size(); ++i) per = d[i] < 0 ? -1 : per * d[i];
  if (per < 0 || per * data_shape[0] != data_shape.Size()) return c;
  std::vector<int64_t> shape = {0};
  shape.insert(shape.end(), d.begin() + 1, d.end());
  Checkpoint out = c;
  out.symbol = c.symbol(
      {}, {{"data",
            Symbol::Create("Reshape", {Symbol::Variable("data")},
                           {{"name", "mxinfer_reshape"}, {"shape", shape}})}});
  return out;
}

// The Context of a --device value (Context::Parse's grammar); mx::Error
// naming the flag otherwise, or when the GPU is not usable.
Context ParseDevice(const std::string& d) {
  try {
    const Context ctx = Context::Parse(d);
    if (!ctx.IsHost()) gpu::CheckDevice(ctx);
    return ctx;
  } catch (const Error& e) {
    throw Error(StrCat("--device: ", e.what()));
  }
}

// The input's format: by extension (.csv, .rec, .lst, image files), else by
// content: IDX files (0x0000080N) and gzip'd ones are IDX.
std::string DetectFormat(const Options& o) {
  if (o.format != "auto") return o.format;
  const std::string& f = o.inputs.at(0);
  const std::string lower = ToLower(f);
  if (EndsWith(lower, ".csv")) return "csv";
  if (EndsWith(lower, ".rec")) return "rec";
  if (EndsWith(lower, ".lst")) return "list";
  for (const char* ext : {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff",
                          ".webp", ".pgm", ".ppm"}) {
    if (EndsWith(lower, ext)) return "image";
  }
  char head[3] = {1, 1, 1};
  FileSystemFor(f).OpenRead(f)->ReadAt(0, 3, head);
  const bool gzip = static_cast<unsigned char>(head[0]) == 0x1f &&
                    static_cast<unsigned char>(head[1]) == 0x8b;
  const bool idx = head[0] == 0 && head[1] == 0 && head[2] == 8;
  return gzip || idx ? "idx" : "image";
}

std::string ShapeText(const std::vector<int64_t>& dims) {
  return PythonTuple(dims);
}

// Decodes image files into one (n, c, h, w) array, as ImageRecordIter would
// (resized to h x w, channels RGB or gray, times `scale`).
NDArray DecodeImages(const std::vector<std::string>& paths,
                     const std::vector<int64_t>& shape, double scale) {
  MX_CHECK(shape.size() == 3, "--data-shape must be C,H,W for images, got ",
           ShapeText(shape),
           " (without the flag: the sample shape the model was trained on, "
           "from its -meta.json; give --data-shape C,H,W)");
  const int64_t per = shape[0] * shape[1] * shape[2];
  std::vector<float> all(paths.size() * per);
  for (size_t i = 0; i < paths.size(); ++i) {
    MX_CHECK(shape[0] == 1 || shape[0] == 3,
             "--data-shape: images have 1 or 3 channels, got ", shape[0]);
    const std::string bytes = ReadFile(paths[i]);
    std::string why;
    cv::Mat img = io::DecodeImage(
        bytes, shape[0] == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR, &why);
    MX_CHECK(!img.empty(), "'", paths[i], "': the image ", why);
    try {
      if (shape[0] == 3) cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
      cv::resize(
          img, img,
          cv::Size(static_cast<int>(shape[2]), static_cast<int>(shape[1])), 0,
          0, cv::INTER_AREA);
    } catch (const cv::Exception& e) {
      MX_THROW("'", paths[i], "': the ", img.cols, "x", img.rows,
               " image cannot be resized to --data-shape ", ShapeText(shape),
               " (OpenCV: ", e.err, ")");
    }
    float* out = all.data() + i * per;
    const int64_t plane = shape[1] * shape[2];
    for (int64_t y = 0; y < shape[1]; ++y) {
      const uint8_t* row = img.ptr<uint8_t>(static_cast<int>(y));
      for (int64_t x = 0; x < shape[2]; ++x) {
        for (int64_t ch = 0; ch < shape[0]; ++ch) {
          out[ch * plane + y * shape[2] + x] =
              static_cast<float>(row[x * shape[0] + ch] * scale);
        }
      }
    }
  }
  return NDArray::FromVector(all, Shape({static_cast<int64_t>(paths.size()),
                                         shape[0], shape[1], shape[2]}));
}

// Values in the first non-empty line of the CSV file `path` (1 when it has
// none: the iterator reports the empty file).
int64_t CsvColumns(const std::string& path) {
  std::unique_ptr<RandomAccessFile> file = FileSystemFor(path).OpenRead(path);
  std::string head(
      static_cast<size_t>(std::min<int64_t>(file->Size(), 1 << 16)), '\0');
  head.resize(static_cast<size_t>(
      file->ReadAt(0, static_cast<int64_t>(head.size()), head.data())));
  for (const std::string& line : Split(head, '\n')) {
    if (Trim(line).empty()) continue;
    return static_cast<int64_t>(std::count(line.begin(), line.end(), ',')) + 1;
  }
  return 1;
}

std::unique_ptr<io::DataIter> OpenInput(const Options& o, bool* has_labels) {
  const std::string format = DetectFormat(o);
  AttrDict p;
  p["batch_size"] = std::to_string(o.batch_size);
  *has_labels = !o.labels.empty();
  if (format == "idx") {
    if (o.labels.empty()) {
      // MNISTIter needs labels: without them, an NDArray iterator over the
      // images scaled as MNISTIter does.
      const io::IdxArray images = io::ReadIdxFile(o.inputs[0], 3);
      MX_CHECK(images.dims[0] > 0, "'", o.inputs[0],
               "' holds no images (its IDX header says 0): an empty data set");
      std::vector<float> data(images.data.size());
      const float s = o.scale > 0 ? static_cast<float>(o.scale) : 1.f / 256;
      for (size_t i = 0; i < data.size(); ++i) data[i] = images.data[i] * s;
      io::NDArrayIterOptions n;
      n.batch.batch_size = o.batch_size;
      return io::CreateNDArrayIter(
          NDArray::FromVector(
              data, Shape({images.dims[0], 1, images.dims[1], images.dims[2]})),
          NDArray(), n);
    }
    p["image"] = o.inputs[0];
    p["label"] = o.labels;
    p["shuffle"] = "False";
    p["last_batch"] = "pad";
    if (o.scale > 0) p["scale"] = StrCat(o.scale);
    return io::FindIterKind("MNISTIter")->create(p);
  }
  if (format == "csv") {
    MX_CHECK(!o.data_shape.empty(), "CSV input needs --data-shape");
    p["data_csv"] = o.inputs[0];
    p["data_shape"] = ShapeText(o.data_shape);
    if (!o.labels.empty()) {
      p["label_csv"] = o.labels;
      // A regression's targets: as many per row as the file holds (the
      // metrics check them against the outputs).
      if (o.task == "regression") {
        p["label_shape"] = StrCat("(", CsvColumns(o.labels), ",)");
      }
    }
    p["round_batch"] = "False";
    return io::FindIterKind("CSVIter")->create(p);
  }
  if (format == "rec") {
    MX_CHECK(!o.data_shape.empty(), "RecordIO input needs --data-shape");
    p["path_imgrec"] = o.inputs[0];
    p["data_shape"] = ShapeText(o.data_shape);
    p["round_batch"] = "False";
    if (o.scale > 0) p["scale"] = StrCat(o.scale);
    *has_labels = true;  // records carry labels
    return io::FindIterKind("ImageRecordIter")->create(p);
  }
  MX_CHECK(!o.data_shape.empty(), "image input needs --data-shape C,H,W");
  std::vector<std::string> paths;
  std::vector<float> labels;
  if (format == "list") {
    for (const io::ImageListEntry& e : io::ReadImageList(o.inputs[0], 1)) {
      paths.push_back(o.root + "/" + e.path);
      labels.push_back(e.labels.at(0));
    }
    *has_labels = true;
  } else {
    paths = o.inputs;
  }
  io::NDArrayIterOptions n;
  n.batch.batch_size = o.batch_size;
  const NDArray data =
      DecodeImages(paths, o.data_shape, o.scale > 0 ? o.scale : 1.0);
  return io::CreateNDArrayIter(
      data,
      labels.empty()
          ? NDArray()
          : NDArray::FromVector(labels,
                                Shape({static_cast<int64_t>(labels.size())})),
      n);
}

// The model bound for inference at one batch shape.
class Model {
 public:
  Model(const Checkpoint& c, const Shape& data_shape, Context ctx) {
    const std::vector<std::string> args = c.symbol.ListArguments();
    std::map<std::string, Shape> shapes = {{"data", data_shape}};
    std::set<std::string> labels;
    for (const std::string& a : args) {
      if (a == "data" || c.args.count(a)) continue;
      // A loss layer's label input ("softmax_label") is unused in inference;
      // any other argument is a parameter the checkpoint must hold.
      // (Its shape is inferred from the loss layer's data.)
      MX_CHECK(EndsWith(a, "_label"), "the checkpoint has no parameter '", a,
               "' of the model");
      labels.insert(a);
    }
    MX_CHECK(std::find(args.begin(), args.end(), "data") != args.end(),
             "the model has no input 'data' (its inputs: ", Join(args, ", "),
             ")");
    try {
      exec_ = Executor::SimpleBind(c.symbol, ctx, shapes, GradReq::kNull);
    } catch (const InternalError&) {
      throw;
    } catch (const Error& e) {
      MX_THROW("the model does not take data of shape ", data_shape, ": ",
               e.what());
    }
    auto arg_arrays = exec_->arg_dict();
    for (auto& [name, array] : arg_arrays) {
      if (shapes.count(name) || labels.count(name)) continue;
      const NDArray& v = c.args.at(name);
      MX_CHECK(v.shape() == array.shape(), "parameter '", name, "' has shape ",
               v.shape(), ", but with data of shape ", data_shape,
               " the model needs ", array.shape(),
               " (does --data-shape match what the model was trained on?)");
      v.CopyTo(&array);
    }
    auto aux_arrays = exec_->aux_dict();
    for (auto& [name, array] : aux_arrays) {
      const auto it = c.aux.find(name);
      MX_CHECK(it != c.aux.end(), "the checkpoint has no auxiliary state '",
               name, "'");
      it->second.CopyTo(&array);
    }
    data_ = arg_arrays.at("data");
  }

  // Probabilities (batch, classes) for `data`.
  const NDArray& Predict(const NDArray& data) {
    data.CopyTo(&data_);
    exec_->Forward(false);
    return exec_->outputs()[0];
  }
  void Forward() { exec_->Forward(false); }
  // Waits for every output of the last Forward.
  void Wait() const {
    for (const NDArray& out : exec_->outputs()) out.WaitToRead();
  }

 private:
  std::unique_ptr<Executor> exec_;
  NDArray data_;
};

// The model bound at `data_shape`; for an ONNX model declared with a fixed
// batch that does not take another (shape arithmetic folded at import), the
// error says which batch size it takes.
Model MakeModel(const Checkpoint& c, const Options& o, const Shape& shape) {
  try {
    return Model(AdaptToData(c, o, shape), shape, o.ctx);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    if (!o.onnx_input.empty() && o.onnx_input[0] > 0 &&
        o.onnx_input[0] != shape[0]) {
      MX_THROW(e.what(), " (the ONNX model declares batch size ",
               o.onnx_input[0], ": try --batch-size ", o.onnx_input[0], ")");
    }
    throw;
  }
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

void Benchmark(const Checkpoint& c, const Options& o,
               const std::vector<int64_t>& sample_shape) {
  for (int64_t batch : {int64_t{1}, o.batch_size}) {
    std::vector<int64_t> dims = {batch};
    dims.insert(dims.end(), sample_shape.begin(), sample_shape.end());
    Model m = MakeModel(c, o, Shape(dims));
    for (int i = 0; i < 10; ++i) {
      m.Forward();
      m.Wait();
    }
    std::vector<double> ms;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < o.iterations; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      m.Forward();
      m.Wait();
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    }
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    std::printf(
        "batch %lld: latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms; "
        "throughput %.0f samples/s (%d iterations)\n",
        static_cast<long long>(batch), Percentile(ms, 0.5), Percentile(ms, 0.9),
        Percentile(ms, 0.99), batch * o.iterations / total, o.iterations);
  }
}

// `s` as a JSON string.
std::string JsonQuoted(const std::string& s) {
  std::string out;
  JsonWriter(&out).String(s);
  return out;
}

// The folder of a local model file or prefix (the report's default home);
// "." for a URI.
std::string ModelFolder(const std::string& model) {
  if (!UriScheme(model).empty()) return ".";
  const size_t slash = model.rfind('/');
  return slash == std::string::npos ? "." : model.substr(0, slash);
}

// "Dress" for class 3 when the classes are named, "" otherwise.
std::string ClassName(const Options& o, int c) {
  return c >= 0 && c < static_cast<int>(o.classes.size()) ? o.classes[c] : "";
}

// Predicts every sample of the input: printed or written to --output, with
// accuracy, a classification report and a confusion matrix when there are
// labels; a regression model's outputs as values, with mse / mae / rmse.
// mx::Error for data that cannot be read, labels that are not class ids, an
// empty input, or a model that does not take the data.
void Predict(const Checkpoint& c, const Options& o) {
  bool has_labels = false;
  std::unique_ptr<io::DataIter> it = OpenInput(o, &has_labels);
  // Labels are read from the --labels file, or from the records (.rec).
  const std::string label_source = o.labels.empty() ? o.inputs[0] : o.labels;
  Model model = MakeModel(c, o, it->ProvideData()[0].shape);
  const bool regression = o.task == "regression";
  std::vector<std::unique_ptr<EvalMetric>> metrics;
  if (regression) {
    for (const char* m : {"mse", "mae", "rmse"}) {
      metrics.push_back(EvalMetric::Create(m));
    }
  } else {
    metrics.push_back(EvalMetric::Create("accuracy"));
    metrics.push_back(EvalMetric::Create(
        "top_k_accuracy", {{"top_k", std::to_string(std::max(2, o.top_k))}}));
  }
  std::optional<ConfusionMatrix> confusion;
  const bool named = !o.classes.empty();
  std::string out;
  int64_t n = 0, model_classes = 0;
  const auto start = std::chrono::steady_clock::now();
  while (it->Next()) {
    const io::DataBatch& b = it->Value();
    const NDArray& probs = model.Predict(b.data[0]);
    const std::vector<float> p = probs.ToFloatVector();
    const std::vector<float> labels = b.label[0].ToFloatVector();
    const int64_t rows = probs.shape()[0] - b.pad;
    const int64_t classes = probs.Size() / probs.shape()[0];
    const int64_t label_width = b.label[0].Size() / b.label[0].shape()[0];
    if (n == 0 && EndsWith(o.output, ".csv")) {
      out = has_labels ? "index,label" : "index";
      if (has_labels && label_width > 1) {
        out = "index";
        for (int64_t j = 1; j <= label_width; ++j) out += StrCat(",label", j);
      }
      if (regression) {
        for (int64_t j = 1; j <= classes; ++j) out += StrCat(",value", j);
      } else {
        for (int k = 1; k <= o.top_k; ++k) {
          out +=
              StrCat(",class", k, named ? StrCat(",name", k) : "", ",prob", k);
        }
      }
      out += "\n";
    }
    if (!regression && has_labels && b.label[0].shape().ndim() == 1) {
      const int64_t bad =
          FirstBadClassLabel(labels, rows, std::max<int64_t>(classes, 2));
      if (bad >= 0) {
        MX_THROW("'", label_source, "': label ", labels[bad], " of record ",
                 b.index.empty() ? n + bad : b.index[bad],
                 " is not a class id of the model's ", classes,
                 " outputs (0 to ", classes - 1, ")");
      }
      if (!confusion && classes >= 2) confusion.emplace(classes);
      if (confusion) confusion->Add(labels, p, rows);
    }
    model_classes = classes;
    if (has_labels) {
      for (auto& m : metrics) m->Update(b.label[0], probs, b.pad);
    }
    for (int64_t r = 0; r < rows; ++r, ++n) {
      const float* row = p.data() + r * classes;
      const int64_t index = b.index.empty() ? n : b.index[r];
      if (regression) {
        std::vector<std::string> values, truth;
        for (int64_t j = 0; j < classes; ++j) values.push_back(StrCat(row[j]));
        for (int64_t j = 0; has_labels && j < label_width; ++j) {
          truth.push_back(StrCat(labels[r * label_width + j]));
        }
        if (EndsWith(o.output, ".jsonl")) {
          out += StrCat("{\"index\": ", index,
                        has_labels
                            ? StrCat(", \"label\": [", Join(truth, ", "), "]")
                            : "",
                        ", \"values\": [", Join(values, ", "), "]}\n");
        } else if (!o.output.empty()) {
          out += StrCat(index, has_labels ? "," + Join(truth, ",") : "", ",",
                        Join(values, ","), "\n");
        } else {
          std::printf("%s\n",
                      StrCat(index, ": ", Join(values, " "),
                             has_labels ? "  label " + Join(truth, " ") : "")
                          .c_str());
        }
        continue;
      }
      std::vector<int> order(classes);
      for (int j = 0; j < classes; ++j) order[j] = j;
      const int k = std::min<int>(o.top_k, classes);
      std::partial_sort(order.begin(), order.begin() + k, order.end(),
                        [&](int a, int b2) { return row[a] > row[b2]; });
      if (EndsWith(o.output, ".jsonl")) {
        out += StrCat("{\"index\": ", index);
        if (has_labels) out += StrCat(", \"label\": ", labels[r]);
        out += ", \"top\": [";
        for (int j = 0; j < k; ++j) {
          out += StrCat(j ? ", " : "", "[", order[j], ", ", row[order[j]], "]");
        }
        out += "]";
        if (named) {
          std::vector<std::string> names;
          for (int j = 0; j < k; ++j) {
            names.push_back(JsonQuoted(ClassName(o, order[j])));
          }
          out += ", \"names\": [" + Join(names, ", ") + "]";
        }
        out += "}\n";
      } else if (!o.output.empty()) {
        out += StrCat(index, has_labels ? StrCat(",", labels[r]) : "");
        for (int j = 0; j < k; ++j) {
          out += StrCat(",", order[j],
                        named ? "," + CsvField(ClassName(o, order[j])) : "",
                        ",", row[order[j]]);
        }
        out += "\n";
      } else {
        std::string line = StrCat(index, ":");
        for (int j = 0; j < k; ++j) {
          // (Class names of any length: only the probability is formatted.)
          char prob[32];
          std::snprintf(prob, sizeof prob, "%.4f", row[order[j]]);
          line +=
              StrCat(" ", order[j], named ? " " + ClassName(o, order[j]) : "",
                     " (", prob, ")");
        }
        if (has_labels) {
          line += StrCat(
              "  label ", labels[r],
              named ? " " + ClassName(o, static_cast<int>(labels[r])) : "");
        }
        std::printf("%s\n", line.c_str());
      }
    }
  }
  MX_CHECK(n > 0, "'", o.inputs[0],
           "' holds no samples: an empty data set has no predictions");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!o.output.empty()) WriteFileAtomic(o.output, out);
  std::fprintf(stderr, "mxinfer: %lld samples in %.2f s (%.0f samples/s)%s\n",
               static_cast<long long>(n), seconds, n / seconds,
               o.output.empty() ? "" : StrCat("; wrote ", o.output).c_str());
  if (!has_labels) return;
  if (regression) {
    for (const auto& m : metrics) {
      std::printf("%s %.6f\n", m->Get().first.c_str(), m->Get().second);
    }
    return;
  }
  std::printf("accuracy %.6f\n", metrics[0]->Get().second);
  // With k at least the classes, every prediction is in the top k.
  if (std::max(2, o.top_k) < model_classes) {
    std::printf("top_%d_accuracy %.6f\n", std::max(2, o.top_k),
                metrics[1]->Get().second);
  }
  if (confusion) {
    const std::string folder =
        o.report_dir.empty() ? ModelFolder(o.model) : o.report_dir;
    if (UriScheme(folder).empty()) {
      std::error_code ec;
      std::filesystem::create_directories(folder, ec);
      MX_CHECK(!ec, "--report-dir: cannot create '", folder,
               "': ", ec.message());
    }
    const std::string model = o.model.substr(o.model.rfind('/') + 1);
    const std::string data = o.inputs[0].substr(o.inputs[0].rfind('/') + 1);
    WriteClassificationReport(
        *confusion, o.classes, folder,
        StrCat(model, o.epoch >= 0 ? StrCat(" epoch ", o.epoch) : "", " on ",
               data));
  }
}

// Why `prefix` cannot be a checkpoint prefix ("" when it can): it must end
// in a file-name part, and a URI must name a bucket and a key.
std::string ModelPrefixProblem(const std::string& prefix) {
  const size_t scheme = prefix.find("://");
  const std::string path =
      scheme == std::string::npos ? prefix : prefix.substr(scheme + 3);
  if (scheme != std::string::npos && path.find('/') == std::string::npos) {
    return "no key after the bucket";
  }
  if (path.empty() || EndsWith(path, "/")) return "it ends in a folder";
  struct stat st;
  if (scheme == std::string::npos && ::stat(prefix.c_str(), &st) == 0 &&
      S_ISDIR(st.st_mode)) {
    return "it is a folder (the prefix of the files inside it is e.g. " +
           prefix + "/model)";
  }
  return "";
}

// Keeps the one output of `c` that o->head names (its layer, "box", or the
// output, "box_output"; default the first, with a note naming the others
// when there are several), with its task; the saved class names describe
// the first output only. mx::Error listing the outputs for an unknown name.
void SelectHead(Checkpoint* c, Options* o) {
  const std::vector<std::string> outputs = c->symbol.ListOutputs();
  std::vector<std::string> layers;
  for (const NodeEntry& e : c->symbol.outputs()) {
    layers.push_back(e.node->attrs.name);
  }
  size_t index = 0;
  if (!o->head.empty()) {
    while (index < outputs.size() && layers[index] != o->head &&
           outputs[index] != o->head) {
      ++index;
    }
    MX_CHECK(index < outputs.size(), "--head '", o->head,
             "': the model has no output of that name (its outputs: ",
             Join(layers, ", "), ")");
  } else if (outputs.size() > 1) {
    std::fprintf(stderr,
                 "mxinfer: note: the model has %zu outputs (%s); predicting "
                 "with '%s' (choose one with --head)\n",
                 outputs.size(), Join(layers, ", ").c_str(), layers[0].c_str());
  }
  if (index != 0) {
    o->task = TaskOfOutput(c->symbol, index);
    o->classes.clear();
  }
  if (outputs.size() > 1) c->symbol = c->symbol[index];
}

int Main(int argc, char** argv) {
  CLI::App app{"mxinfer: predictions, accuracy and latency of a saved model."};
  Options o;
  app.add_option("-m,--model", o.model,
                 "checkpoint prefix (PREFIX-symbol.json, PREFIX-NNNN.params) "
                 "or an ONNX model (FILE.onnx)")
      ->required();
  app.add_option("-e,--epoch", o.epoch,
                 "checkpoint epoch (default: the latest PREFIX-NNNN.params)");
  app.add_option("-i,--input", o.inputs,
                 "IDX images (.gz ok), CSV, RecordIO .rec, a .lst image list, "
                 "or image files");
  app.add_option("--labels", o.labels,
                 "labels (IDX or CSV) to report accuracy against");
  app.add_option("--format", o.format, "input format")
      ->check(CLI::IsMember({"auto", "idx", "csv", "rec", "list", "image"}));
  app.add_option("--root", o.root, "folder of a .lst list's image paths");
  app.add_option("--data-shape", o.data_shape,
                 "one sample's shape, e.g. 1,28,28 (CSV, RecordIO, images, "
                 "--benchmark)")
      ->delimiter(',');
  app.add_option("-b,--batch-size", o.batch_size, "batch size")
      ->check(CLI::PositiveNumber);
  app.add_option("-k,--top-k", o.top_k, "predictions per sample")
      ->check(CLI::PositiveNumber);
  app.add_option("-o,--output", o.output,
                 "write predictions to FILE.csv or FILE.jsonl instead of "
                 "printing them");
  app.add_option("--scale", o.scale, "multiply pixels by this");
  app.add_flag(
      "--benchmark", o.benchmark,
      "latency p50/p90/p99 and throughput at batch 1 and --batch-size");
  app.add_option("--iterations", o.iterations, "benchmark iterations")
      ->check(CLI::PositiveNumber);
  app.add_flag("--keep-batchnorm", o.keep_batchnorm,
               "run BatchNorm layers as they are instead of folding them "
               "into the convolutions before them");
  app.add_option("--device", o.device,
                 "cpu, gpu, cpu:N or gpu:N (default cpu)");
  app.add_option("--head", o.head,
                 "for a model of several outputs, the one to predict with: "
                 "its layer's name (default: the first output)");
  app.add_option("--report-dir", o.report_dir,
                 "with --labels, write classification_report.txt and "
                 "confusion_matrix.csv / .png here (default: the model's "
                 "folder)");
  if (const std::optional<int> done =
          ParseCommandLine("mxinfer", app, argc, argv, kExitUsage)) {
    return *done;
  }
  if (!o.benchmark && o.inputs.empty()) {
    std::fprintf(stderr, "mxinfer: error: give --input FILE or --benchmark\n");
    return kExitUsage;
  }
  if (!o.output.empty() && !EndsWith(o.output, ".csv") &&
      !EndsWith(o.output, ".jsonl")) {
    std::fprintf(stderr,
                 "mxinfer: error: --output must end in .csv or .jsonl, "
                 "got '%s'\n",
                 o.output.c_str());
    return kExitUsage;
  }
  try {
    o.ctx = ParseDevice(o.device);
  } catch (const Error& e) {
    std::fprintf(stderr, "mxinfer: error: %s\n", e.what());
    return kExitUsage;
  }
  if (IsOnnx(o.model) && o.epoch >= 0) {
    std::fprintf(stderr,
                 "mxinfer: error: --epoch is for checkpoints; an ONNX model "
                 "('%s') holds one set of weights\n",
                 o.model.c_str());
    return kExitUsage;
  }
  if (const std::string why = ModelPrefixProblem(o.model);
      !IsOnnx(o.model) && !why.empty()) {
    std::fprintf(stderr,
                 "mxinfer: error: --model '%s': %s; expected a checkpoint "
                 "prefix such as runs/x/model or s3://bucket/runs/x/model "
                 "(its files are PREFIX-symbol.json and PREFIX-NNNN.params)\n",
                 o.model.c_str(), why.c_str());
    return kExitUsage;
  }
  Checkpoint c;
  try {
    if (IsOnnx(o.model)) {
      c = LoadOnnx(o.model, &o.onnx_input);
    } else {
      if (o.epoch < 0) {
        const std::vector<int> epochs = CheckpointEpochs(o.model, "params");
        MX_CHECK(!epochs.empty(), "no checkpoint ", o.model, "-NNNN.params");
        o.epoch = epochs.back();
      }
      c = LoadCheckpoint(o.model, o.epoch);
      // What training saved: the sample shape and scale (defaults of
      // --data-shape and --scale), the task and the class names.
      if (const std::optional<ModelInfo> info = LoadModelInfo(o.model)) {
        if (o.data_shape.empty()) o.data_shape = info->sample_shape;
        if (o.scale <= 0 && info->scale > 0) o.scale = info->scale;
        o.task = info->task;
        o.classes = info->classes;
      }
    }
    if (o.task.empty()) o.task = TaskOfHead(c.symbol);
  } catch (const Error& e) {
    std::fprintf(stderr, "mxinfer: error: %s\n", e.what());
    return kExitData;
  }
  // A benchmark without --head times every output.
  if (!o.benchmark || !o.head.empty()) {
    try {
      SelectHead(&c, &o);
    } catch (const Error& e) {
      std::fprintf(stderr, "mxinfer: error: %s\n", e.what());
      return kExitUsage;
    }
  }
  try {
    if (!o.keep_batchnorm) FoldBatchNorm(&c);
  } catch (const Error& e) {
    std::fprintf(stderr, "mxinfer: error: %s\n", e.what());
    return kExitData;
  }
  if (o.benchmark) {
    std::vector<int64_t> sample = o.data_shape;
    if (sample.empty() && !o.inputs.empty()) {
      bool ignored;
      sample = OpenInput(o, &ignored)->ProvideData()[0].shape.dims();
      sample.erase(sample.begin());
    }
    if (sample.empty()) {
      std::fprintf(stderr,
                   "mxinfer: error: --benchmark needs --data-shape or "
                   "--input\n");
      return kExitUsage;
    }
    Benchmark(c, o, sample);
    return 0;
  }
  try {
    Predict(c, o);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    std::fprintf(stderr, "mxinfer: data error: %s\n", e.what());
    return kExitData;
  }
  return 0;
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  return mx::RunTool("mxinfer", mx::Main, argc, argv);
}
