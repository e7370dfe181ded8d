"""Statistics: the yearly figures hotlines publish, computed from confirmed grades."""
