#include "netreactor/version.hpp"

namespace netreactor {

const char* version() noexcept { return NETREACTOR_VERSION; }

}  // namespace netreactor
