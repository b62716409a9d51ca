/* output_id.h — which build of the code made a tile or an image.
 *
 * Tile, image and data answers are cached as immutable under their ?v= URL, and revalidated by ETag.
 * Layer versions alone name the data, not the code that encodes it: a new build that draws the
 * same data differently would keep the old URLs and tags, and every browser and CDN would keep
 * the old bytes. So ETags, ?v= values and the seeds' record of an archive also carry this id,
 * a hash computed at build time of the sources of the modules that shape those bytes
 * (tileserver/core/CMakeLists.txt lists them; cmake/TeselasOutputId.cmake hashes them). */
#ifndef TESELAS_CORE_OUTPUT_ID_H
#define TESELAS_CORE_OUTPUT_ID_H

/* Eight lowercase hex digits and a NUL. */
extern const char TESELAS_OUTPUT_ID[];

#endif
