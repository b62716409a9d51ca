/* output_id.h — which build of the code made a tile or an image.
 *
 * Tile and image answers are cached as immutable under their ?v= URL, and revalidated by ETag.
 * Layer versions alone name the data, not the code that encodes it: a new build that draws the
 * same data differently would keep the old URLs and tags, and every browser and CDN would keep
 * the old bytes. So ETags, ?v= values and the seeds' record of an archive also carry this id,
 * a hash of the server's sources computed at build time (cmake/TeselasOutputId.cmake). */
#ifndef TESELAS_CORE_OUTPUT_ID_H
#define TESELAS_CORE_OUTPUT_ID_H

/* Eight lowercase hex digits and a NUL. */
extern const char TESELAS_OUTPUT_ID[];

#endif
