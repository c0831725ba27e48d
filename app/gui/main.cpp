// mlscope: the desktop inspector. `mlscope [MODEL] [--screenshot out.png] [--frames N] [--script FILE]`
#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/gui/app.h"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: mlscope [MODEL] [--screenshot OUT.png] [--frames N] [--script FILE] [--recording FILE] [--size WxH]\n"
               "  MODEL         .mlpackage, .mlmodelc, .mlmodel or .mil (default: the demo model in assets/demo)\n"
               "  --screenshot  render, write the window to OUT.png once the model is open, and exit\n"
               "  --frames N    frames to render before the screenshot (default 5)\n"
               "  --recording F placement from a compute-plan recording made on a Mac (default: estimated)\n"
               "  --script FILE drive the GUI with verbs (see app/gui/script.h); exits when done\n");
}

}  // namespace

int main(int argc, char** argv) {
  mlscope::gui::AppOptions opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&](const char* what) -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "mlscope: %s needs a value\n", what); std::exit(2); }
      return argv[++i];
    };
    if (a == "--screenshot") opt.screenshot = next("--screenshot");
    else if (a == "--frames") opt.frames = std::atoi(next("--frames").c_str());
    else if (a == "--script") opt.script = next("--script");
    else if (a == "--recording") opt.recording = next("--recording");
    else if (a == "--size") {
      const std::string s = next("--size");
      if (std::sscanf(s.c_str(), "%dx%d", &opt.width, &opt.height) != 2 || opt.width < 200 || opt.height < 200) { usage(); return 2; }
    } else if (a == "-h" || a == "--help") { usage(); return 0; }
    else if (!a.empty() && a[0] == '-') { std::fprintf(stderr, "mlscope: unknown option %s\n", a.c_str()); usage(); return 2; }
    else if (opt.model.empty()) opt.model = a;
    else { usage(); return 2; }
  }
  if (opt.frames < 1) opt.frames = 1;
  mlscope::gui::App app(opt);
  return app.run();
}
