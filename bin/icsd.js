#!/usr/bin/env node
import "../cmd/main.ts";
