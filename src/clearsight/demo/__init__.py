"""The benign demo corpus that `clearsight demo` builds and scans."""
