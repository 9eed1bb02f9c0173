// mx's version, printed by the tools' --version.
#ifndef MX_CORE_BASE_VERSION_H_
#define MX_CORE_BASE_VERSION_H_

namespace mx {

inline constexpr char kMxVersion[] = "0.1.0";

}  // namespace mx

#endif  // MX_CORE_BASE_VERSION_H_
