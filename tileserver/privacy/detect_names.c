/* detect_names.c — the word lists of the person-name heuristic (detect_person.c), folded to
 * lower-case ASCII without accents.
 *
 * Given names and surnames: the most frequent in Mexico (INEGI and RENAPO frequency lists, and
 * those common in León), a few hundred each. They need not be complete: a person's name is
 * recognised when one given name and one surname are known and at most one word is unknown.
 * Place words: words that name places and public things in colonias, parks, water bodies and
 * localities ("Praderas de San Pedro de los Hernández III" holds a surname but also "praderas" and
 * "san"); a value holding one is never a person's name. Surnames that are also common nouns of
 * places (Campos, Torres, Fuentes, Villa, Valle) are kept out of the place list: a person named
 * Torres must still count, and "Las Torres" is one word after its particle, too short for a name. */
#include "privacy/privacy_int.h"

#include <stddef.h>

const char *const PRIVACY_GIVEN_NAMES[] = {
    /* men */
    "aaron", "abel", "abraham", "adan", "adolfo", "adrian", "agustin", "alan", "alberto",
    "alejandro", "alexis", "alfonso", "alfredo", "alonso", "alvaro", "andres", "angel", "anselmo",
    "antonio", "apolinar", "armando", "arturo", "aurelio", "baltazar", "benito", "bernardo",
    "braulio", "bruno", "candelario", "carlos", "celestino", "cesar", "christian", "cirilo",
    "cristian", "cristobal", "damian", "daniel", "dario", "david", "diego", "domingo", "edgar",
    "eduardo", "efrain", "eleazar", "elias", "eliseo", "emiliano", "emilio", "enrique", "erick",
    "erik", "ernesto", "esteban", "eugenio", "eusebio", "everardo", "ezequiel", "fabian",
    "faustino", "federico", "felipe", "felix", "fermin", "fernando", "fidel", "filiberto",
    "florencio", "francisco", "fco", "gabriel", "gael", "gerardo", "german", "geronimo",
    "gilberto", "gonzalo", "gregorio", "guillermo", "gustavo", "hector", "heriberto", "hilario",
    "hipolito", "hugo", "humberto", "ignacio", "isaac", "isidro", "ismael", "israel", "ivan",
    "jacinto", "jacobo", "jaime", "jair", "javier", "jesus", "joaquin", "jonathan", "jorge", "jose",
    "josue", "juan", "julian", "julio", "kevin", "leandro", "leonardo", "leonel", "leopoldo",
    "lorenzo", "lucas", "luis", "macario", "manuel", "marcelino", "marco", "marcos", "mariano",
    "mario", "martin", "mateo", "matias", "mauricio", "maximiliano", "miguel", "misael", "moises",
    "nestor", "nicolas", "noe", "norberto", "octavio", "omar", "orlando", "oscar", "osvaldo",
    "pablo", "pascual", "patricio", "pedro", "porfirio", "rafael", "ramiro", "ramon", "raul",
    "refugio", "rene", "reynaldo", "ricardo", "rigoberto", "roberto", "rodolfo", "rodrigo",
    "rogelio", "rolando", "rosendo", "ruben", "sabino", "salvador", "samuel", "santiago", "saul",
    "sebastian", "sergio", "silvestre", "simon", "teodoro", "tomas", "ulises", "uriel", "valentin",
    "vicente", "victor", "wenceslao",
    /* women */
    "abigail", "adela", "adriana", "alejandra", "alicia", "alma", "alondra", "amparo", "ana",
    "andrea", "angelica", "antonia", "araceli", "arely", "ariana", "aurora", "beatriz", "berenice",
    "blanca", "brenda", "camila", "carla", "carmen", "carolina", "catalina", "cecilia", "celia",
    "citlali", "clara", "claudia", "concepcion", "consuelo", "cristina", "dalia", "daniela",
    "delia", "diana", "dolores", "dulce", "edith", "elena", "elisa", "elizabeth", "elsa", "elvira",
    "emma", "erica", "erika", "esmeralda", "esperanza", "estefania", "estela", "esther", "eugenia",
    "eva", "evelyn", "fabiola", "fatima", "fernanda", "francisca", "gabriela", "gisela", "gladys",
    "gloria", "gpe", "graciela", "guadalupe", "guillermina", "hilda", "ines", "irene", "irma",
    "isabel", "isela", "itzel", "ivonne", "jacqueline", "janet", "jazmin", "jennifer", "jessica",
    "jimena", "josefa", "josefina", "jovita", "juana", "julia", "juliana", "karen", "karina",
    "karla", "laura", "leonor", "leticia", "lidia", "lilia", "liliana", "lizbeth", "lorena",
    "lourdes", "lucero", "lucia", "luisa", "lupita", "luz", "ma", "magdalena", "marcela",
    "margarita", "maria", "mariana", "maribel", "maricela", "marina", "marisela", "marisol",
    "marlene", "martha", "marta", "matilde", "mayra", "melissa", "mercedes", "micaela", "minerva",
    "miriam", "mirna", "monica", "nadia", "nallely", "nancy", "natalia", "nayeli", "nelly",
    "noemi", "nora", "norma", "ofelia", "olga", "paola", "patricia", "paula", "paulina", "perla",
    "petra", "pilar", "ramona", "raquel", "rebeca", "regina", "reina", "renata", "reyna", "rocio",
    "rosa", "rosalba", "rosalia", "rosario", "rosaura", "rubi", "ruth", "samantha", "sandra",
    "sara", "selene", "silvia", "socorro", "sofia", "sonia", "susana", "tania", "teresa",
    "valentina", "valeria", "vanessa", "veronica", "vianey", "victoria", "virginia", "viviana",
    "wendy", "xochitl", "ximena", "yadira", "yazmin", "yesenia", "yolanda", NULL};

const char *const PRIVACY_SURNAMES[] = {
    "acosta", "aguilar", "aguirre", "alvarado", "alvarez", "anaya", "andrade", "aranda", "arellano",
    "arias", "arredondo", "avila", "ayala", "barajas", "barrera", "barrientos", "bautista",
    "becerra", "beltran", "benitez", "bernal", "bonilla", "bravo", "briones", "bustamante",
    "caballero", "cabrera", "cadena", "calderon", "calvillo", "camacho", "campos", "cano",
    "cardenas", "carmona", "carranza", "carrasco", "carrillo", "casillas", "castaneda", "castillo",
    "castro", "ceja", "cervantes", "chavez", "cisneros", "contreras", "cordova", "corona",
    "coronado", "correa", "cortes", "cruz", "cuellar", "cuevas", "davila", "delgado", "diaz",
    "dominguez", "duran", "enriquez", "escamilla", "escobar", "esparza", "espinosa", "espinoza",
    "esquivel", "estrada", "farias", "fernandez", "figueroa", "flores", "franco", "frias",
    "fuentes", "galindo", "gallardo", "gallegos", "galvan", "gamez", "garcia", "gasca", "godinez",
    "gomez", "gonzalez", "granados", "guerrero", "guevara", "guillen", "gutierrez", "guzman",
    "hernandez", "herrera", "hidalgo", "huerta", "hurtado", "ibarra", "jaramillo", "jimenez",
    "juarez", "lara", "ledesma", "leon", "lira", "lopez", "lozano", "lugo", "luna", "macias",
    "madrigal", "magana", "maldonado", "manzano", "marin", "marquez", "marroquin", "martinez",
    "mata", "medina", "medrano", "mejia", "melendez", "mendez", "mendoza", "mercado", "meza",
    "miranda", "molina", "montes", "montoya", "mora", "morales", "moreno", "mosqueda", "munoz",
    "murillo", "nava", "navarro", "negrete", "nieto", "nolasco", "nunez", "ochoa", "ojeda",
    "olivares", "olvera", "ornelas", "orozco", "ortega", "ortiz", "osorio", "pacheco", "padilla",
    "palacios", "pantoja", "paredes", "parra", "patino", "pena", "perez", "pichardo", "pina",
    "pineda", "ponce", "pulido", "quintero", "quiroz", "ramirez", "ramos", "rangel", "razo",
    "renteria", "resendiz", "reyes", "rico", "rios", "rivas", "rivera", "robles", "rocha",
    "rodriguez", "rojas", "romero", "rosales", "rosas", "rubio", "rueda", "ruiz", "saavedra",
    "salas", "salazar", "salcedo", "salgado", "salinas", "sanchez", "sandoval", "santana",
    "santiago", "saucedo", "sepulveda", "serrano", "sierra", "silva", "solano", "solis", "sosa",
    "soto", "suarez", "tapia", "tello", "tellez", "terrazas", "toledo", "torres", "tovar",
    "trejo", "trujillo", "valadez", "valdes", "valdez", "valencia", "varela", "vargas", "vasquez",
    "vazquez", "vega", "vela", "velasco", "velazquez", "velez", "venegas", "vera", "villalobos",
    "villanueva", "villarreal", "villegas", "yanez", "zamora", "zapata", "zarate", "zavala",
    "zepeda", "zuniga", NULL};

const char *const PRIVACY_PLACE_WORDS[] = {
    /* parks, squares, green areas */
    "parque", "parques", "jardin", "jardines", "plaza", "plazuela", "area", "areas", "verde",
    "verdes", "bosque", "bosques", "glorieta", "explanada", "deportiva", "deportivo", "unidad",
    "lineal", "metropolitano", "metropolitana", "zoologico", "museo", "estadio", "malecon",
    /* water */
    "presa", "presas", "represa", "laguna", "lago", "bordo", "bordos", "rio", "arroyo", "arroyos",
    "canal", "canales", "manantial", "pozo", "pozos", "tanque", "acueducto", "dren", "colector",
    "cuenca", "agua", "aguas", "ojo", "barranca", "cascada",
    /* settlements and streets */
    "colonia", "col", "colonias", "fraccionamiento", "fracc", "barrio", "residencial",
    "residencias", "real", "valle", "valles", "lomas", "loma", "colinas", "colina", "hacienda",
    "haciendas", "exhacienda", "hda", "villas", "villa", "praderas", "pradera", "prados", "prado",
    "san", "santa", "santo", "sta", "sto", "norte", "sur", "oriente", "poniente", "centro",
    "central", "calle", "avenida", "av", "boulevard", "blvd", "bulevar", "calzada", "privada",
    "priv", "callejon", "camino", "carretera", "ejido", "rancho", "ranchito", "rancheria",
    "granja", "granjas", "comunidad", "localidad", "ampliacion", "conjunto", "condominio",
    "habitacional", "infonavit", "fovissste", "issste", "imss", "cerro", "canada", "puente",
    "panteon", "mercado", "campestre", "country", "paseo", "paseos", "arboledas", "cumbres",
    "vista", "vistas", "mirador", "portal", "portales", "puerta", "rinconada", "rincon", "cerrada",
    "circuito", "huerta", "huertas", "quinta", "quintas", "club", "industrial", "sector", "zona",
    "seccion", "etapa", "manzana", "lote", "predio", "parcela", "tierra", "tierras", "llano",
    "mesa", "mina", "minas", "monte", "pueblo", "ciudad", "municipio", "cabecera", "delegacion",
    "alcaldia", "nueva", "nuevo", "viejo", "vieja", "alto", "alta", "altos", "bajo", "baja",
    "arriba", "abajo", "el", "ex", "esq", "esquina", "entre", "ote", "pte", "nte", "cda",
    "prol", "prolongacion", "obrera", "popular", "independencia", "revolucion", "reforma",
    "libertad", "progreso", "solidaridad", "union", "insurgentes", "heroes", "martires",
    "presidentes", "constitucion", "republica", "nacional", "federal", "estado", "municipal",
    /* institutions and businesses */
    "escuela", "primaria", "secundaria", "preparatoria", "universidad", "instituto", "templo",
    "iglesia", "parroquia", "capilla", "hospital", "clinica", "modulo", "centro", "direccion",
    "general", "secretaria", "sistema", "comision", "departamento", "coordinacion",
    "ayuntamiento", "gobierno", "oficina", "abarrotes", "tienda", "farmacia", "taller",
    "tortilleria", "restaurante", "hotel", "terminal", "aeropuerto", NULL};

const char *const PRIVACY_NAME_PARTICLES[] = {
    "de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "di", "van", "von",
    "der", "mc", "sr", "sra", "srta", "srita", "lic", "licenciado", "licenciada", "dr", "dra",
    "doctor", "doctora", "ing", "ingeniero", "ingeniera", "arq", "mtro", "mtra", "maestro",
    "maestra", "prof", "profr", "profra", "profesor", "profesora", "don", "dona", "c", NULL};
