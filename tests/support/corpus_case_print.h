// Kept for existing includes: the corpus-case gtest printer now lives in test_paths.h.
#pragma once

#include "support/test_paths.h"
