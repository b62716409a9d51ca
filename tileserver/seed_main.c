/* seed_main.c — `teselas-seed`: the `teselas seed` command (same options, same archives) in a
 * binary linked with the seed's modules only. `teselas` carries GDAL for its importers, and
 * loading GDAL and its hundred libraries costs every process 36 MB of resident memory and a fifth
 * of a second before main() on a loaded machine: for a cron job's incremental seed, most of its
 * run (bench/RESULTS.md). */
#include "cli/cli.h"

int main(int argc, char **argv) { return cli_seed(argc, argv); }
