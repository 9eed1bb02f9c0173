#include "core/op/partial_shape.h"

#include "core/base/error.h"

namespace mx {

PartialShape::PartialShape(std::initializer_list<int64_t> dims)
    : PartialShape(std::vector<int64_t>(dims)) {}

PartialShape::PartialShape(std::vector<int64_t> dims)
    : rank_known_(true), dims_(std::move(dims)) {
  for (int64_t& d : dims_) {
    MX_CHECK(d >= -1, "shape extent ", d, " is invalid; expected >= 0, or -1 ",
             "for unknown");
  }
}

PartialShape::PartialShape(const Shape& shape)
    : rank_known_(true), dims_(shape.dims()) {}

PartialShape PartialShape::UnknownExtents(int ndim) {
  return PartialShape(std::vector<int64_t>(ndim, -1));
}

int64_t PartialShape::operator[](int i) const {
  MX_INTERNAL_CHECK(rank_known_, "extent of a shape of unknown rank");
  const int n = static_cast<int>(dims_.size());
  const int j = i < 0 ? i + n : i;
  MX_INTERNAL_CHECK(j >= 0 && j < n, "axis ", i, " out of range for ",
                    ToString());
  return dims_[j];
}

void PartialShape::set(int i, int64_t extent) {
  (void)(*this)[i];
  const int n = static_cast<int>(dims_.size());
  dims_[i < 0 ? i + n : i] = extent;
}

bool PartialShape::IsKnown() const {
  if (!rank_known_) return false;
  for (int64_t d : dims_) {
    if (d < 0) return false;
  }
  return true;
}

Shape PartialShape::ToShape() const {
  MX_INTERNAL_CHECK(IsKnown(), "shape ", ToString(), " is not fully known");
  return Shape(dims_);
}

int64_t PartialShape::ProdRange(int begin, int end) const {
  int64_t product = 1;
  for (int i = begin; i < end; ++i) {
    if ((*this)[i] < 0) return -1;
    product *= (*this)[i];
  }
  return product;
}

bool PartialShape::Merge(const PartialShape& other) {
  if (!other.rank_known_) return true;
  if (!rank_known_) {
    *this = other;
    return true;
  }
  if (dims_.size() != other.dims_.size()) return false;
  std::vector<int64_t> merged = dims_;
  for (size_t i = 0; i < merged.size(); ++i) {
    if (other.dims_[i] < 0) continue;
    if (merged[i] >= 0 && merged[i] != other.dims_[i]) return false;
    merged[i] = other.dims_[i];
  }
  dims_ = std::move(merged);
  return true;
}

std::string PartialShape::ToString() const {
  if (!rank_known_) return "?";
  std::string out = "(";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) out += ",";
    out += dims_[i] < 0 ? "?" : std::to_string(dims_[i]);
  }
  if (dims_.size() == 1) out += ",";
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const PartialShape& s) {
  return os << s.ToString();
}

}  // namespace mx
