// Shape: the extents of an array, any number of dimensions (0-d scalars
// included), int64 each.
#ifndef MX_CORE_BASE_SHAPE_H_
#define MX_CORE_BASE_SHAPE_H_

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

namespace mx {

class Shape {
 public:
  // A 0-d shape: one element.
  Shape() = default;
  // Shape{2, 3} is a 2x3 matrix. Extents must be >= 0 (mx::Error otherwise).
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(std::vector<int64_t> dims);

  // Number of dimensions.
  int ndim() const { return static_cast<int>(dims_.size()); }
  // Extent of dimension i; negative i counts from the end. mx::Error when out
  // of range.
  int64_t operator[](int i) const;
  // Total element count (1 for 0-d). mx::Error on int64 overflow.
  int64_t Size() const;
  const std::vector<int64_t>& dims() const { return dims_; }

  // Product of the extents of dimensions [begin, end).
  int64_t ProdRange(int begin, int end) const;

  bool operator==(const Shape& o) const { return dims_ == o.dims_; }
  bool operator!=(const Shape& o) const { return dims_ != o.dims_; }

  // MXNet/Python style: "()", "(5,)", "(2,3)".
  std::string ToString() const;

 private:
  std::vector<int64_t> dims_;
};

std::ostream& operator<<(std::ostream& os, const Shape& s);

// Multiplies extents checking for int64 overflow; returns false on overflow.
bool CheckedShapeSize(const int64_t* dims, int ndim, int64_t* size);

}  // namespace mx

#endif  // MX_CORE_BASE_SHAPE_H_
