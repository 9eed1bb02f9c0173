// PartialShape: a shape under inference. The rank may be unknown, and each
// extent may be unknown (-1). See Note [Unknown shapes] in
// docs/design_notes.md.
#ifndef MX_CORE_OP_PARTIAL_SHAPE_H_
#define MX_CORE_OP_PARTIAL_SHAPE_H_

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "core/base/shape.h"

namespace mx {

class PartialShape {
 public:
  // Unknown rank.
  PartialShape() = default;
  // Known rank; -1 marks an unknown extent: PartialShape{-1, 100}.
  PartialShape(std::initializer_list<int64_t> dims);
  explicit PartialShape(std::vector<int64_t> dims);
  // A fully known shape.
  PartialShape(const Shape& shape);  // NOLINT(runtime/explicit)

  // Known rank with every extent unknown.
  static PartialShape UnknownExtents(int ndim);

  bool rank_known() const { return rank_known_; }
  // -1 when the rank is unknown.
  int ndim() const { return rank_known_ ? static_cast<int>(dims_.size()) : -1; }
  // Extent i (negative counts from the end), -1 when unknown. Internal error
  // when the rank is unknown or i out of range.
  int64_t operator[](int i) const;
  void set(int i, int64_t extent);
  const std::vector<int64_t>& dims() const { return dims_; }
  bool DimKnown(int i) const { return (*this)[i] >= 0; }
  // Rank and every extent known.
  bool IsKnown() const;
  // The known shape (internal error unless IsKnown()).
  Shape ToShape() const;
  // Product of extents [begin, end), -1 when one of them is unknown.
  int64_t ProdRange(int begin, int end) const;

  // Refines this shape with `other`: unknown rank or extents take the other's
  // values. Returns false (and leaves this shape unchanged) when they
  // contradict.
  bool Merge(const PartialShape& other);

  bool operator==(const PartialShape& o) const {
    return rank_known_ == o.rank_known_ && dims_ == o.dims_;
  }
  bool operator!=(const PartialShape& o) const { return !(*this == o); }

  // "(100,10)", "(?,10)" for an unknown extent, "?" for an unknown rank.
  std::string ToString() const;

 private:
  bool rank_known_ = false;
  std::vector<int64_t> dims_;
};

std::ostream& operator<<(std::ostream& os, const PartialShape& s);

}  // namespace mx

#endif  // MX_CORE_OP_PARTIAL_SHAPE_H_
