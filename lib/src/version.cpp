#include "netreactor/version.hpp"

namespace netreactor {

// Compiled into the library, so it reports the library's version even when a
// program was built against other headers.
const char* version() noexcept { return NETREACTOR_VERSION_STRING; }

}  // namespace netreactor
