#!/usr/bin/env python3
"""gen_incidents.py — a synthetic security-incident file for the privacy tests (issue 8).

    python3 gen_incidents.py N SEED > incidentes.csv

Exact coordinates around León (lon -101.68, lat 21.12, in four clusters, 6 decimals) and the
personal fields a real export carries: nombre_victima (given name and two surnames), telefono
(477 NNN NNNN), curp (well-formed: 4 letters, birth date, sex, GT, 3 consonants, check), domicilio,
edad; plus what may be published: tipo (5 kinds) and fecha (within 6 months, so counts by month
reach k). Deterministic for a seed. Every personal value is unique per row (a numeric suffix in the
address, distinct phones and CURPs), so finding one in a response means it leaked from that row.
"""
import random
import sys

GIVEN = ["Juan", "María", "José", "Guadalupe", "Francisco", "Rosa", "Miguel", "Ana", "Luis",
         "Carmen", "Pedro", "Laura"]
SURNAMES = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez",
            "Sánchez", "Ramírez", "Torres", "Flores", "Rivera"]
TIPOS = ["robo a transeúnte", "robo a casa", "lesiones", "robo de vehículo", "violencia familiar"]
CENTERS = [(-101.68, 21.12), (-101.66, 21.14), (-101.70, 21.10), (-101.64, 21.09)]
VOWELS, CONSONANTS, LETTERS = "AEIOU", "BCDFGHJKLMNPQRSTVWXZ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def curp(rng):
    return (rng.choice(LETTERS) + rng.choice(VOWELS) + rng.choice(LETTERS) + rng.choice(LETTERS)
            + "%02d%02d%02d" % (rng.randint(50, 99), rng.randint(1, 12), rng.randint(1, 28))
            + rng.choice("HM") + "GT" + "".join(rng.choice(CONSONANTS) for _ in range(3))
            + rng.choice("0123456789") + str(rng.randint(0, 9)))


def main():
    n, seed = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 8
    rng = random.Random(seed)
    phones, curps = set(), set()
    print("id,tipo,fecha,nombre_victima,telefono,curp,domicilio,edad,lat,lon")
    for i in range(n):
        cx, cy = rng.choice(CENTERS)
        lon, lat = cx + rng.gauss(0, 0.01), cy + rng.gauss(0, 0.01)
        name = "%s %s %s" % (rng.choice(GIVEN), rng.choice(SURNAMES), rng.choice(SURNAMES))
        phone = "477 %03d %04d" % (rng.randint(100, 999), rng.randint(1000, 9999))
        while phone in phones:
            phone = "477 %03d %04d" % (rng.randint(100, 999), rng.randint(1000, 9999))
        phones.add(phone)
        c = curp(rng)
        while c in curps:
            c = curp(rng)
        curps.add(c)
        street = rng.choice(["Hidalgo", "Madero", "Juárez", "Morelos", "Allende"])
        dom = "Calle %s %d-%d, Col. Centro" % (street, rng.randint(1, 999), i + 1)
        fecha = "2025-%02d-%02d" % (rng.randint(1, 6), rng.randint(1, 28))
        print('%d,%s,%s,%s,%s,%s,"%s",%d,%.6f,%.6f' % (i + 1, rng.choice(TIPOS), fecha, name, phone,
                                                       c, dom, rng.randint(15, 80), lat, lon))


if __name__ == "__main__":
    main()
