#!/usr/bin/env node
// mmsim: the npm `bin` of @mmsim/cli — runs the compiled command (build first: pnpm build)
import "../dist/bin/mmsim.js";
