// Lookup statuses: their names, their error codes, and how c-ares' failures
// and DNS response codes map to them.
#include "dns_status.hpp"

#include <ares.h>

namespace netreactor {

std::string_view to_string(DnsStatus status) noexcept {
    switch (status) {
        case DnsStatus::NoError: return "NOERROR";
        case DnsStatus::NoData: return "NODATA";
        case DnsStatus::NxDomain: return "NXDOMAIN";
        case DnsStatus::FormErr: return "FORMERR";
        case DnsStatus::ServFail: return "SERVFAIL";
        case DnsStatus::NotImp: return "NOTIMP";
        case DnsStatus::Refused: return "REFUSED";
        case DnsStatus::YxDomain: return "YXDOMAIN";
        case DnsStatus::YxRrset: return "YXRRSET";
        case DnsStatus::NxRrset: return "NXRRSET";
        case DnsStatus::NotAuth: return "NOTAUTH";
        case DnsStatus::NotZone: return "NOTZONE";
        case DnsStatus::OtherRcode: return "RCODE";
        case DnsStatus::CnameLoop: return "CNAME_LOOP";
        case DnsStatus::Timeout: return "TIMEOUT";
        case DnsStatus::NoServer: return "NOSERVER";
        case DnsStatus::Truncated: return "TRUNCATED";
        case DnsStatus::BadName: return "BADNAME";
        case DnsStatus::BadResp: return "BADRESP";
        case DnsStatus::Canceled: return "CANCELED";
        case DnsStatus::NoMemory: return "ENOMEM";
        case DnsStatus::Failed: return "EDNS";
    }
    return "EDNS";
}

std::string_view error_code(DnsStatus status) noexcept {
    switch (status) {
        case DnsStatus::NoError: return "";
        case DnsStatus::Timeout: return "ETIMEDOUT";
        case DnsStatus::NoServer: return "ENOSERVER";
        case DnsStatus::Canceled: return "ECANCELED";
        case DnsStatus::Truncated: return "EOF";
        default: return to_string(status);
    }
}

DnsStatus status_from_rcode(int rcode) noexcept {
    switch (rcode) {
        case 0: return DnsStatus::NoError;
        case 1: return DnsStatus::FormErr;
        case 2: return DnsStatus::ServFail;
        case 3: return DnsStatus::NxDomain;
        case 4: return DnsStatus::NotImp;
        case 5: return DnsStatus::Refused;
        case 6: return DnsStatus::YxDomain;
        case 7: return DnsStatus::YxRrset;
        case 8: return DnsStatus::NxRrset;
        case 9: return DnsStatus::NotAuth;
        case 10: return DnsStatus::NotZone;
        default: return DnsStatus::OtherRcode;
    }
}

Error lookup_error(DnsStatus status, std::string message, std::string_view code) {
    return Error(std::string(code.empty() ? error_code(status) : code), std::move(message), "resolve");
}

DnsStatus status_from_ares(int ares_status) {
    switch (ares_status) {
        case ARES_SUCCESS: return DnsStatus::NoError;
        case ARES_ENODATA: return DnsStatus::NoData;
        case ARES_ENOTFOUND:
        case ARES_ENONAME: return DnsStatus::NxDomain;
        case ARES_EFORMERR: return DnsStatus::FormErr;
        case ARES_ESERVFAIL: return DnsStatus::ServFail;
        case ARES_ENOTIMP: return DnsStatus::NotImp;
        case ARES_EREFUSED: return DnsStatus::Refused;
        case ARES_ETIMEOUT: return DnsStatus::Timeout;
        case ARES_ECONNREFUSED: return DnsStatus::NoServer;
        case ARES_EBADNAME: return DnsStatus::BadName;
        case ARES_EBADRESP: return DnsStatus::BadResp;
        case ARES_ECANCELLED:
        case ARES_EDESTRUCTION: return DnsStatus::Canceled;
        case ARES_ENOMEM: return DnsStatus::NoMemory;
        default: return DnsStatus::Failed;
    }
}

std::string ares_failure_message(DnsStatus status, int ares_status) {
    switch (status) {
        case DnsStatus::Timeout: return "no answer from the DNS server in time";
        case DnsStatus::NoServer: return "no DNS server could be contacted (each one refused or failed)";
        case DnsStatus::Canceled: return "lookup canceled";
        default: return ares_strerror(ares_status);
    }
}

}  // namespace netreactor
