// The headless session state the widgets draw (core/session), named in the gui namespace.
// Widgets read it and send it commands; every thread behind it is a session::Task.
#pragma once

#include "core/session/compare_session.h"
#include "core/session/document.h"
#include "core/session/task.h"

namespace mlscope::gui {

using session::BackendChoice;
using session::CompareSession;
using session::ComparisonResult;
using session::DivergenceResult;
using session::Document;
using session::FunctionAnalysis;
using session::InputChoice;
using session::LoadError;
using session::ModelSnapshot;
using session::ProgramText;
using session::Selection;
using session::Task;
using session::TaskContext;

}  // namespace mlscope::gui
