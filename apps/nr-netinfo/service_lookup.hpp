// `service`: the system's services database (getservbyname_r/getservbyport_r,
// so /etc/services through NSS), in both directions.
#pragma once

#include <string_view>

#include "json_output.hpp"

namespace netinfo {

// {"input","query","name","port","protocol","aliases"} or an error entry
// (EINVAL for a malformed spec, ENOENT when the database has no such entry).
nrapp::json service_report(std::string_view input);

}  // namespace netinfo
