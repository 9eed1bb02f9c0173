// Prints the operator reference (docs/ops.md) generated from the registry.
#include <iostream>

#include "ops/op_doc.h"

int main() {
  std::cout << mx::ops::OpsMarkdown();
  return 0;
}
