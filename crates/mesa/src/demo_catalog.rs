//! Demo data catalog for `mesa demo`: the people, places, service catalog and
//! texts used to load a realistic, living Spanish help desk of a fictional
//! Colombian municipality.
//!
//! Pure data. The service catalog merges the service lists of seed 002
//! (Indupal Valledupar) and seed 004 (Ministerio del Interior), plus the
//! maintenance activities of seed 004 and the security-incident path of
//! seed 003. Everything here is invented: the domain, the people, the
//! inventory tags and the remote-access IDs do not belong to anyone.

/// One entry of the service catalog.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSeed {
    /// Name shown to people; `TicketSample::service` refers to it exactly.
    pub name: &'static str,
    pub category: &'static str,
    /// One of "incident", "service_request", "maintenance", "security_incident".
    pub ticket_type: &'static str,
    /// Default support level, 1–3 (seed 003: technician, engineer, specialist).
    pub level: u8,
    /// One of `TEAMS`.
    pub team: &'static str,
}

/// One help-desk agent.
#[derive(Debug, Clone, Copy)]
pub struct AgentSeed {
    pub name: &'static str,
    pub email: &'static str,
    pub level: u8,
    pub team: &'static str,
    /// The desk lead ("líder de mesa de ayuda") administers the desk.
    pub admin: bool,
}

/// A request as a municipal employee would write it.
#[derive(Debug, Clone, Copy)]
pub struct TicketSample {
    /// Exactly the `name` of one of `SERVICES`.
    pub service: &'static str,
    pub subject: &'static str,
    pub description: &'static str,
    /// One of "low", "medium", "high", "critical".
    pub priority: &'static str,
}

/// Deliberately fictional, so that a demo can never mail a real institution.
pub const INSTITUTION_DOMAIN: &str = "alcaldia-demo.gov.co";

/// Dependencias of the municipality; requesters belong to one of them.
pub const DEPARTMENTS: &[&str] = &[
    "Despacho del Alcalde",
    "Secretaría General",
    "Secretaría de Hacienda",
    "Secretaría de Planeación",
    "Secretaría de Gobierno",
    "Secretaría de Salud",
    "Secretaría de Desarrollo Social",
    "Talento Humano",
    "Oficina Jurídica",
    "Oficina de Contratación",
    "Oficina de Control Interno",
    "Almacén General",
    "Oficina de Relacionamiento con el Ciudadano",
    "Comisaría de Familia",
];

/// Sedes: (name, address).
pub const BUILDINGS: &[(&str, &str)] = &[
    ("Palacio Municipal", "Carrera 5 # 4-32, Parque Principal"),
    ("Centro Administrativo Municipal (CAM)", "Calle 10 # 8-15, pisos 2 y 3"),
    ("Casa de la Cultura", "Calle 7 # 6-40, barrio Centro"),
    ("Coliseo Cubierto Municipal", "Avenida Los Deportes # 12-80"),
    ("Centro de Atención al Ciudadano", "Carrera 6 # 9-21, local 101"),
    ("Bodega de Almacén Municipal", "Vía a la vereda El Cerrito, km 1"),
];

pub const TEAMS: &[&str] =
    &["Soporte en sitio", "Infraestructura y redes", "Sistemas de información", "Seguridad digital"];

/// Seed 002 and seed 004 merged, plus two maintenance services taken from the
/// maintenance activities of seed 004 and the security-incident service of
/// seed 003.
pub const SERVICES: &[ServiceSeed] = &[
    // seed 002 + seed 004
    ServiceSeed {
        name: "Atención a requerimientos de equipos de cómputo",
        category: "Equipos de cómputo",
        ticket_type: "incident",
        level: 1,
        team: "Soporte en sitio",
    },
    // seed 002 ("Mantenimiento de equipos de cómputo"), seed 004 plan
    ServiceSeed {
        name: "Mantenimiento preventivo de equipos de cómputo",
        category: "Equipos de cómputo",
        ticket_type: "maintenance",
        level: 1,
        team: "Soporte en sitio",
    },
    // seed 002 + seed 004
    ServiceSeed {
        name: "Concepto técnico para baja de equipos de cómputo",
        category: "Equipos de cómputo",
        ticket_type: "service_request",
        level: 2,
        team: "Soporte en sitio",
    },
    // seed 002
    ServiceSeed {
        name: "Alistamiento de equipos para reuniones",
        category: "Equipos de cómputo",
        ticket_type: "service_request",
        level: 1,
        team: "Soporte en sitio",
    },
    // seed 004
    ServiceSeed {
        name: "Administración del directorio activo (AD)",
        category: "Cuentas y accesos",
        ticket_type: "service_request",
        level: 2,
        team: "Infraestructura y redes",
    },
    // seed 004
    ServiceSeed {
        name: "Administración de usuarios",
        category: "Cuentas y accesos",
        ticket_type: "service_request",
        level: 1,
        team: "Soporte en sitio",
    },
    // seed 002 + seed 004
    ServiceSeed {
        name: "Administración de correo electrónico institucional",
        category: "Correo y colaboración",
        ticket_type: "service_request",
        level: 1,
        team: "Infraestructura y redes",
    },
    // seed 004
    ServiceSeed {
        name: "Carpetas compartidas",
        category: "Correo y colaboración",
        ticket_type: "service_request",
        level: 1,
        team: "Infraestructura y redes",
    },
    // seed 004
    ServiceSeed {
        name: "Copias de seguridad y restauración de información",
        category: "Infraestructura",
        ticket_type: "service_request",
        level: 2,
        team: "Infraestructura y redes",
    },
    // seed 004
    ServiceSeed {
        name: "Administración de la infraestructura tecnológica",
        category: "Infraestructura",
        ticket_type: "incident",
        level: 2,
        team: "Infraestructura y redes",
    },
    // seed 002
    ServiceSeed {
        name: "Administración de telefonía IP",
        category: "Infraestructura",
        ticket_type: "incident",
        level: 1,
        team: "Infraestructura y redes",
    },
    // seed 004 maintenance: "Mantener infraestructura de redes y comunicaciones"
    ServiceSeed {
        name: "Mantenimiento de redes y comunicaciones",
        category: "Infraestructura",
        ticket_type: "maintenance",
        level: 2,
        team: "Infraestructura y redes",
    },
    // seed 004 maintenance: "Mantener el sistema de aire acondicionado",
    // "Mantener fuentes de respaldo eléctrico - UPS"
    ServiceSeed {
        name: "Mantenimiento de UPS y aire acondicionado",
        category: "Infraestructura",
        ticket_type: "maintenance",
        level: 2,
        team: "Infraestructura y redes",
    },
    // seed 004
    ServiceSeed {
        name: "Actualización y soporte de aplicativos de apoyo a la gestión",
        category: "Aplicativos",
        ticket_type: "incident",
        level: 2,
        team: "Sistemas de información",
    },
    // seed 002
    ServiceSeed {
        name: "Actualización y soporte de aplicativos del área financiera",
        category: "Aplicativos",
        ticket_type: "incident",
        level: 2,
        team: "Sistemas de información",
    },
    // seed 004
    ServiceSeed {
        name: "Administración y gestión de software",
        category: "Aplicativos",
        ticket_type: "service_request",
        level: 1,
        team: "Soporte en sitio",
    },
    // seed 004
    ServiceSeed {
        name: "Concepto técnico para baja de software",
        category: "Aplicativos",
        ticket_type: "service_request",
        level: 2,
        team: "Sistemas de información",
    },
    // seed 002
    ServiceSeed {
        name: "Publicación de archivos en el sitio web",
        category: "Portal web",
        ticket_type: "service_request",
        level: 1,
        team: "Sistemas de información",
    },
    // seed 004
    ServiceSeed {
        name: "Administración del antivirus",
        category: "Seguridad",
        ticket_type: "incident",
        level: 1,
        team: "Seguridad digital",
    },
    // seed 003: security incidents follow their own path
    ServiceSeed {
        name: "Incidente de seguridad de la información",
        category: "Seguridad",
        ticket_type: "security_incident",
        level: 2,
        team: "Seguridad digital",
    },
];

pub const AGENTS: &[AgentSeed] = &[
    AgentSeed {
        name: "Diana Marcela Rojas Peña",
        email: "diana.rojas@alcaldia-demo.gov.co",
        level: 2,
        team: "Soporte en sitio",
        admin: true,
    },
    AgentSeed {
        name: "Jhon Fredy Cárdenas Ortiz",
        email: "jhon.cardenas@alcaldia-demo.gov.co",
        level: 1,
        team: "Soporte en sitio",
        admin: false,
    },
    AgentSeed {
        name: "Leidy Johana Moreno Castillo",
        email: "leidy.moreno@alcaldia-demo.gov.co",
        level: 1,
        team: "Soporte en sitio",
        admin: false,
    },
    AgentSeed {
        name: "Brayan Stiven Ramírez Gil",
        email: "brayan.ramirez@alcaldia-demo.gov.co",
        level: 1,
        team: "Infraestructura y redes",
        admin: false,
    },
    AgentSeed {
        name: "Andrés Felipe Quintero Salazar",
        email: "andres.quintero@alcaldia-demo.gov.co",
        level: 2,
        team: "Infraestructura y redes",
        admin: false,
    },
    AgentSeed {
        name: "Paola Andrea Villamizar Duarte",
        email: "paola.villamizar@alcaldia-demo.gov.co",
        level: 2,
        team: "Sistemas de información",
        admin: false,
    },
    AgentSeed {
        name: "Óscar Iván Mejía Restrepo",
        email: "oscar.mejia@alcaldia-demo.gov.co",
        level: 2,
        team: "Seguridad digital",
        admin: false,
    },
    AgentSeed {
        name: "Carlos Alberto Pinzón Herrera",
        email: "carlos.pinzon@alcaldia-demo.gov.co",
        level: 3,
        team: "Sistemas de información",
        admin: false,
    },
];

/// Given names for generated requesters; compound names are as common as
/// single ones in Colombia. Contains accents: fold them when building e-mails.
pub const FIRST_NAMES: &[&str] = &[
    "María Fernanda",
    "Luz Marina",
    "Juan David",
    "Andrés Felipe",
    "Diana Carolina",
    "Jorge Eliécer",
    "Luisa Fernanda",
    "Sandra Milena",
    "José Luis",
    "Ana María",
    "Claudia Patricia",
    "Jhon Jairo",
    "Yuly Andrea",
    "Óscar",
    "Martha Lucía",
    "Nelson",
    "Gloria Inés",
    "Hernando",
    "Natalia",
    "Sebastián",
    "Valentina",
    "Camilo",
    "Wilson",
    "Yolanda",
    "Mauricio",
    "Paula Andrea",
    "Fabio",
    "Adriana",
    "Germán",
    "Angélica María",
    "Héctor",
    "Daniela",
];

/// Surnames for generated requesters (usually two per person).
pub const LAST_NAMES: &[&str] = &[
    "Rodríguez",
    "Gómez",
    "González",
    "Martínez",
    "García",
    "López",
    "Hernández",
    "Sánchez",
    "Ramírez",
    "Pérez",
    "Díaz",
    "Muñoz",
    "Rojas",
    "Moreno",
    "Jiménez",
    "Vargas",
    "Castro",
    "Torres",
    "Suárez",
    "Ortiz",
    "Gutiérrez",
    "Herrera",
    "Cárdenas",
    "Valencia",
    "Ospina",
    "Bermúdez",
    "Zapata",
    "Londoño",
    "Castaño",
    "Acosta",
    "Ariza",
    "Peña",
];

pub const TICKET_SAMPLES: &[TicketSample] = &[
    // ── Atención a requerimientos de equipos de cómputo ──
    TicketSample {
        service: "Atención a requerimientos de equipos de cómputo",
        subject: "El computador de la ventanilla 3 no prende",
        description: "Buenos días, el equipo de la ventanilla 3 (PC-0412) no prende desde esta mañana. Cuando oprimo el botón suena un pitido largo y la pantalla queda negra. Tengo fila de contribuyentes, agradezco que vengan lo antes posible.",
        priority: "high",
    },
    TicketSample {
        service: "Atención a requerimientos de equipos de cómputo",
        subject: "Impresora del segundo piso atasca las hojas",
        description: "La impresora Kyocera del segundo piso se atasca con cada hoja que le mandamos. Ya revisamos que no quedara papel adentro y apagamos y prendimos. Inventario IMP-0087.",
        priority: "medium",
    },
    TicketSample {
        service: "Atención a requerimientos de equipos de cómputo",
        subject: "Equipo demasiado lento",
        description: "Mi computador está lentísimo, se demora como 15 minutos en prender y el Excel se queda pegado cada rato. AnyDesk: 482 913 075. Gracias.",
        priority: "medium",
    },
    TicketSample {
        service: "Atención a requerimientos de equipos de cómputo",
        subject: "Escáner de radicación no envía los documentos",
        description: "Cordial saludo.\n\nEl escáner de la ventanilla de radicación no está enviando los documentos a la carpeta; sale el error “dispositivo no encontrado”. Necesitamos radicar las PQRSD del día y ya tenemos más de 30 pendientes.\n\nQuedo atenta, ext. 102.",
        priority: "high",
    },
    TicketSample {
        service: "Atención a requerimientos de equipos de cómputo",
        subject: "Monitor parpadea",
        description: "Buenas tardes, el monitor del equipo PC-0233 parpadea y por ratos se pone verde. Ya moví el cable pero sigue igual.",
        priority: "low",
    },
    TicketSample {
        service: "Atención a requerimientos de equipos de cómputo",
        subject: "mouse dañado",
        description: "Se me dañó el mouse, no hace clic derecho. ¿Me pueden prestar uno mientras tanto?",
        priority: "low",
    },
    TicketSample {
        service: "Atención a requerimientos de equipos de cómputo",
        subject: "Pantallazo azul en equipo de la Comisaría",
        description: "Al equipo de la Comisaría de Familia le sale una pantalla azul cada vez que abro el navegador. Hoy ya van tres veces y se pierde lo que estaba escribiendo en las actas de conciliación. El equipo es el PC-0518 y el AnyDesk es 731 204 559.",
        priority: "high",
    },
    TicketSample {
        service: "Atención a requerimientos de equipos de cómputo",
        subject: "Equipo para contratista nuevo de Planeación",
        description: "El lunes ingresó un contratista a la Secretaría de Planeación y no tiene computador asignado. Solicito alistar un equipo con Office, acceso a la impresora del piso y a la carpeta de la secretaría. Contrato de prestación de servicios CPS-214-2025.",
        priority: "medium",
    },
    TicketSample {
        service: "Atención a requerimientos de equipos de cómputo",
        subject: "Impresora de Talento Humano imprime rayado",
        description: "La impresora de Talento Humano imprime pero todo sale rayado y pálido. Le cambiamos el tóner la semana pasada y sigue igual.",
        priority: "low",
    },
    // ── Mantenimiento preventivo de equipos de cómputo ──
    TicketSample {
        service: "Mantenimiento preventivo de equipos de cómputo",
        subject: "Mantenimiento preventivo programado - Secretaría de Hacienda",
        description: "Según el plan de mantenimiento preventivo del segundo semestre, corresponde la limpieza interna, revisión de disco y actualización de los 14 equipos de la Secretaría de Hacienda. Coordinar con la secretaria de despacho para hacerlo por turnos y no afectar la atención al público.",
        priority: "medium",
    },
    TicketSample {
        service: "Mantenimiento preventivo de equipos de cómputo",
        subject: "¿Cuándo es el mantenimiento de los equipos de Almacén?",
        description: "Buenos días, los computadores de la bodega de Almacén tienen mucho polvo porque están al lado de la zona de cargue, y uno ya hace bastante ruido (PC-0371). ¿Cuándo nos toca el mantenimiento?",
        priority: "low",
    },
    TicketSample {
        service: "Mantenimiento preventivo de equipos de cómputo",
        subject: "Mantenimiento de impresoras de la Casa de la Cultura",
        description: "Actividad del plan de mantenimiento: limpieza y revisión de rodillos de las tres impresoras de la Casa de la Cultura (IMP-0102, IMP-0103 e IMP-0110) antes del inicio de los talleres de formación artística.",
        priority: "low",
    },
    // ── Concepto técnico para baja de equipos de cómputo ──
    TicketSample {
        service: "Concepto técnico para baja de equipos de cómputo",
        subject: "Concepto técnico de 6 equipos para el comité de bajas",
        description: "Desde Almacén necesitamos el concepto técnico de seis computadores que están en la bodega desde el año pasado (PC-0102, PC-0115, PC-0117, PC-0120, PC-0134 y PC-0139) para incluirlos en el acta del comité de inventarios del próximo mes.",
        priority: "medium",
    },
    TicketSample {
        service: "Concepto técnico para baja de equipos de cómputo",
        subject: "Portátil mojado en la inundación de la Oficina Jurídica",
        description: "El portátil PORT-0045 de la Oficina Jurídica se mojó con la filtración del techo del fin de semana. No prende. Solicitamos el concepto técnico para el trámite con la aseguradora.",
        priority: "medium",
    },
    TicketSample {
        service: "Concepto técnico para baja de equipos de cómputo",
        subject: "¿Reparar o dar de baja la impresora de Control Interno?",
        description: "La impresora IMP-0056 de Control Interno lleva meses fallando. Queremos saber si vale la pena repararla o si hay que darla de baja e incluir una nueva en el plan anual de adquisiciones.",
        priority: "low",
    },
    // ── Alistamiento de equipos para reuniones ──
    TicketSample {
        service: "Alistamiento de equipos para reuniones",
        subject: "Video beam para el consejo de gobierno",
        description: "Para el consejo de gobierno del jueves a las 8:00 a. m. en el salón de juntas del Despacho necesitamos video beam, portátil y parlantes. Asisten unas 20 personas.",
        priority: "medium",
    },
    TicketSample {
        service: "Alistamiento de equipos para reuniones",
        subject: "Apoyo para audiencia virtual con el juzgado",
        description: "Mañana a las 2:00 p. m. tenemos audiencia virtual con el juzgado por Teams y la sala de la Oficina Jurídica no tiene cámara. Solicito apoyo para instalar cámara y micrófono y probar la conexión media hora antes. Es una audiencia con términos, no se puede aplazar.",
        priority: "high",
    },
    TicketSample {
        service: "Alistamiento de equipos para reuniones",
        subject: "Audiencia pública de rendición de cuentas",
        description: "La audiencia pública de rendición de cuentas será el 28 en el Coliseo Cubierto Municipal. Se requiere apoyo con sonido, portátil para la presentación del señor alcalde y transmisión en vivo por Facebook y YouTube.\n\nFavor coordinar una visita técnica previa para revisar la conexión a internet del coliseo.",
        priority: "high",
    },
    TicketSample {
        service: "Alistamiento de equipos para reuniones",
        subject: "Sala de capacitación para inducción",
        description: "¿Me pueden dejar listos el portátil y el televisor de la sala de capacitación para la inducción de los funcionarios nuevos el viernes a las 9?",
        priority: "low",
    },
    // ── Administración del directorio activo (AD) ──
    TicketSample {
        service: "Administración del directorio activo (AD)",
        subject: "Traslado de funcionario a Planeación",
        description: "El funcionario Hernando Ruiz Acosta pasa de la Secretaría de Gobierno a la Secretaría de Planeación a partir del 1.º del mes. Favor actualizar su usuario en el dominio, los grupos y el acceso a las unidades de red de la nueva dependencia, y retirarle los de Gobierno.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración del directorio activo (AD)",
        subject: "Equipo no deja iniciar sesión con usuario de dominio",
        description: "El computador nuevo de Control Interno (PC-0601) no deja iniciar sesión con el usuario del dominio. Sale: “No se pudo establecer la relación de confianza entre esta estación de trabajo y el dominio principal”.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración del directorio activo (AD)",
        subject: "Deshabilitar cuentas de contratistas que terminaron",
        description: "Adjunto el listado de 9 contratistas cuyo contrato terminó el 30 de junio. Solicito deshabilitar sus cuentas de dominio según la política de seguridad de la información. Los buzones de correo deben conservarse para la entrega de informes de supervisión.",
        priority: "medium",
    },
    // ── Administración de usuarios ──
    TicketSample {
        service: "Administración de usuarios",
        subject: "Cuenta bloqueada",
        description: "No puedo entrar al computador, me dice que la cuenta está bloqueada. Creo que puse mal la clave varias veces después de vacaciones.",
        priority: "high",
    },
    TicketSample {
        service: "Administración de usuarios",
        subject: "Usuarios para practicantes del SENA",
        description: "Llegaron tres practicantes del SENA a la Secretaría de Desarrollo Social. Necesitan usuario para el computador y para el sistema de gestión documental (solo consulta). Adjunto nombres, cédulas y fecha de terminación de la práctica.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración de usuarios",
        subject: "como cambio la contraseña",
        description: "buenas, me llegó un aviso de que la contraseña se vence en 2 días pero no sé cómo cambiarla desde el correo web",
        priority: "low",
    },
    TicketSample {
        service: "Administración de usuarios",
        subject: "Usuario para la psicóloga de la Comisaría",
        description: "La nueva psicóloga de la Comisaría de Familia, Yurany Ospina Zapata, empieza el lunes. Requiere usuario de red, correo institucional y acceso a la impresora de la Comisaría. Autoriza la comisaria.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración de usuarios",
        subject: "Nombre mal escrito en mi usuario",
        description: "Mi nombre aparece mal escrito en el usuario y en el correo: dice “Jhonatan” y es “Jonathan”. Les agradezco corregirlo porque así sale en las firmas de los documentos.",
        priority: "low",
    },
    // ── Administración de correo electrónico institucional ──
    TicketSample {
        service: "Administración de correo electrónico institucional",
        subject: "No me llegan los correos de afuera",
        description: "Desde ayer no me están llegando los correos de los proveedores; los de los compañeros sí llegan. Un contratista me dijo que le rebota un mensaje de buzón lleno.",
        priority: "high",
    },
    TicketSample {
        service: "Administración de correo electrónico institucional",
        subject: "Configurar el correo en el celular",
        description: "Quiero tener el correo institucional en el celular (Android). Intenté con la guía pero me pide un servidor y no sé qué poner.",
        priority: "low",
    },
    TicketSample {
        service: "Administración de correo electrónico institucional",
        subject: "Buzón compartido para vigilancia en salud pública",
        description: "Solicitamos crear el buzón compartido vigilancia.salud@alcaldia-demo.gov.co para recibir las notificaciones del SIVIGILA, con acceso para la coordinadora y las dos epidemiólogas de la Secretaría de Salud.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración de correo electrónico institucional",
        subject: "Buzón lleno, no puedo enviar",
        description: "Me sale que el buzón está lleno y no me deja enviar nada. Tengo muchos adjuntos de contratos que no puedo borrar porque son soporte de la supervisión.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración de correo electrónico institucional",
        subject: "Notificaciones judiciales llegan a spam",
        description: "Los correos que enviamos desde la cuenta de notificaciones judiciales están llegando a la carpeta de spam de los ciudadanos. Es urgente porque son notificaciones con términos legales y nos pueden anular actuaciones.",
        priority: "high",
    },
    TicketSample {
        service: "Administración de correo electrónico institucional",
        subject: "Recuperar carpeta de correo borrada",
        description: "Borré sin querer una carpeta del Outlook con todos los correos de la supervisión del contrato 087 de 2025. ¿Se puede recuperar? La borré ayer en la tarde.",
        priority: "medium",
    },
    // ── Carpetas compartidas ──
    TicketSample {
        service: "Carpetas compartidas",
        subject: "Acceso a la carpeta de Contratación 2025",
        description: "Solicito acceso de lectura y escritura a la carpeta compartida “Contratación 2025” para Luisa Fernanda Castaño, nueva abogada de la oficina. La jefe de Contratación está en copia y autoriza.",
        priority: "medium",
    },
    TicketSample {
        service: "Carpetas compartidas",
        subject: "No aparece la unidad P:",
        description: "Desde que reiniciaron el computador no me aparece la unidad P: donde guardamos los informes de Planeación. Equipo PC-0298.",
        priority: "medium",
    },
    TicketSample {
        service: "Carpetas compartidas",
        subject: "Carpeta compartida para seguimiento del plan de desarrollo",
        description: "Necesitamos una carpeta en OneDrive compartida entre Hacienda, Planeación y Control Interno para el seguimiento trimestral del plan de desarrollo. Serían unas ocho personas; les envío el listado.",
        priority: "low",
    },
    TicketSample {
        service: "Carpetas compartidas",
        subject: "Acceso denegado al consolidado de nómina",
        description: "Al abrir el Excel del consolidado de nómina en la carpeta de Talento Humano me sale “acceso denegado”. Ayer sí podía abrirlo y no he cambiado nada.",
        priority: "medium",
    },
    // ── Copias de seguridad y restauración de información ──
    TicketSample {
        service: "Copias de seguridad y restauración de información",
        subject: "Restaurar archivo del presupuesto sobrescrito",
        description: "Sobrescribí por error el archivo del anteproyecto de presupuesto 2026 en la carpeta de Hacienda. Necesito la versión del viernes pasado, por favor; la tenemos que presentar al Concejo el martes.",
        priority: "high",
    },
    TicketSample {
        service: "Copias de seguridad y restauración de información",
        subject: "Copia de mis archivos antes del cambio de equipo",
        description: "Antes de que me cambien el computador necesito que saquen copia de Mis documentos, el escritorio y los favoritos del navegador. Equipo actual PC-0289.",
        priority: "medium",
    },
    TicketSample {
        service: "Copias de seguridad y restauración de información",
        subject: "Backup de funcionaria que se pensionó",
        description: "La funcionaria Martha Lucía Gil se pensionó la semana pasada. Solicito copia de seguridad de su equipo y de su correo para entregar la información a quien la reemplaza, según el acta de entrega del puesto de trabajo.",
        priority: "low",
    },
    // ── Administración de la infraestructura tecnológica ──
    TicketSample {
        service: "Administración de la infraestructura tecnológica",
        subject: "Sin internet en todo el segundo piso del Palacio",
        description: "Desde las 9:30 a. m. no hay internet ni red en todo el segundo piso del Palacio Municipal (Hacienda y Planeación). No podemos liquidar impuestos y hay gente esperando.",
        priority: "critical",
    },
    TicketSample {
        service: "Administración de la infraestructura tecnológica",
        subject: "Wi-Fi de la Casa de la Cultura no funciona",
        description: "En la Casa de la Cultura el Wi-Fi aparece pero no navega. Los instructores no pueden registrar la asistencia de los talleres en la plataforma.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración de la infraestructura tecnológica",
        subject: "Punto de red para nuevo puesto de archivo",
        description: "Se va a trasladar el puesto de la auxiliar de archivo al fondo de la oficina de la Secretaría General y allá no hay punto de red. Solicito instalar uno antes del 15.",
        priority: "low",
    },
    TicketSample {
        service: "Administración de la infraestructura tecnológica",
        subject: "Servidor de archivos muy lento",
        description: "Abrir cualquier archivo de la unidad compartida se demora más de un minuto desde hace dos días. Nos pasa a todos en Contratación y en la Oficina Jurídica.",
        priority: "high",
    },
    TicketSample {
        service: "Administración de la infraestructura tecnológica",
        subject: "Internet intermitente en la oficina del Coliseo",
        description: "En la oficina del Coliseo el internet se va cada rato, sobre todo en las tardes. Tenemos que subir las inscripciones de las escuelas deportivas y se nos cae la plataforma a mitad del formulario.",
        priority: "medium",
    },
    // ── Administración de telefonía IP ──
    TicketSample {
        service: "Administración de telefonía IP",
        subject: "Extensión 214 sin tono",
        description: "El teléfono de la recepción (ext. 214) no tiene tono desde que movieron el escritorio. La pantalla dice “sin registro”.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración de telefonía IP",
        subject: "Cambiar nombre de la extensión",
        description: "En la pantalla de los teléfonos la extensión 131 todavía aparece con el nombre de la funcionaria anterior. Ahora es de Control Interno, a nombre de Gloria Inés Torres.",
        priority: "low",
    },
    TicketSample {
        service: "Administración de telefonía IP",
        subject: "Desvío de llamadas durante jornada de vacunación",
        description: "Necesito que las llamadas de la extensión 305 se desvíen a mi celular durante la jornada de vacunación de la próxima semana, porque voy a estar en terreno en las veredas.",
        priority: "low",
    },
    // ── Mantenimiento de redes y comunicaciones ──
    TicketSample {
        service: "Mantenimiento de redes y comunicaciones",
        subject: "Revisión trimestral del centro de cableado",
        description: "Actividad del plan de mantenimiento: revisión de switches, organización del rack y verificación de enlaces del centro de cableado del Palacio Municipal. Requiere ventana de mantenimiento el sábado de 7:00 a. m. a 12:00 m.; avisar a las dependencias.",
        priority: "medium",
    },
    TicketSample {
        service: "Mantenimiento de redes y comunicaciones",
        subject: "Canaleta caída y cables en el piso",
        description: "En el pasillo de Desarrollo Social se cayó la canaleta y los cables de red quedaron en el piso. La gente los pisa y ya se desconectó dos veces el computador de la entrada.",
        priority: "medium",
    },
    // ── Mantenimiento de UPS y aire acondicionado ──
    TicketSample {
        service: "Mantenimiento de UPS y aire acondicionado",
        subject: "URGENTE: aire del cuarto de servidores gotea sobre el rack",
        description: "El aire acondicionado del cuarto de servidores está goteando encima del rack y el termómetro marca 29 °C. Pusimos un plástico provisional.",
        priority: "critical",
    },
    TicketSample {
        service: "Mantenimiento de UPS y aire acondicionado",
        subject: "Mantenimiento semestral de las UPS",
        description: "Según el plan de mantenimiento, programar con el proveedor la revisión de baterías de la UPS de 10 kVA del Palacio Municipal y de las dos UPS de la Casa de la Cultura.",
        priority: "low",
    },
    TicketSample {
        service: "Mantenimiento de UPS y aire acondicionado",
        subject: "UPS pitando en Tesorería",
        description: "La UPS de la oficina de Tesorería está pitando desde que se fue la luz esta mañana y no para, aunque la luz ya volvió.",
        priority: "medium",
    },
    // ── Actualización y soporte de aplicativos de apoyo a la gestión ──
    TicketSample {
        service: "Actualización y soporte de aplicativos de apoyo a la gestión",
        subject: "Error al radicar en el sistema de gestión documental",
        description: "Al radicar una comunicación con anexos en el sistema de gestión documental sale “Error 500” y no genera el número de radicado. Con documentos sin anexos sí funciona. Nos pasa en las dos ventanillas.",
        priority: "high",
    },
    TicketSample {
        service: "Actualización y soporte de aplicativos de apoyo a la gestión",
        subject: "No carga el módulo de PQRSD",
        description: "El módulo de PQRSD se queda cargando y no muestra las solicitudes asignadas. Tengo varias que se vencen esta semana y no puedo ver cuáles son.",
        priority: "high",
    },
    TicketSample {
        service: "Actualización y soporte de aplicativos de apoyo a la gestión",
        subject: "Actualizar el aplicativo de inventarios",
        description: "El proveedor del aplicativo de inventarios liberó una nueva versión que corrige el cálculo de la depreciación. Solicitamos instalarla antes del cierre contable del mes.",
        priority: "medium",
    },
    TicketSample {
        service: "Actualización y soporte de aplicativos de apoyo a la gestión",
        subject: "Reporte de correspondencia sale en blanco",
        description: "El reporte mensual de correspondencia recibida del sistema de gestión documental sale en blanco cuando lo pido en PDF. En Excel sí sale.",
        priority: "low",
    },
    // ── Actualización y soporte de aplicativos del área financiera ──
    TicketSample {
        service: "Actualización y soporte de aplicativos del área financiera",
        subject: "No deja generar CDP en el aplicativo financiero",
        description: "Buenas tardes. El aplicativo financiero no deja generar certificados de disponibilidad presupuestal: sale “rubro sin apropiación” aunque el rubro sí tiene saldo. Tenemos varios contratos por firmar antes del viernes.",
        priority: "critical",
    },
    TicketSample {
        service: "Actualización y soporte de aplicativos del área financiera",
        subject: "Nómina no calcula bien las horas extras",
        description: "El aplicativo de nómina no está calculando bien las horas extras nocturnas de los conductores este mes; les liquida como si fueran diurnas. La nómina se cierra el 25.",
        priority: "high",
    },
    TicketSample {
        service: "Actualización y soporte de aplicativos del área financiera",
        subject: "Sin acceso al módulo de presupuesto",
        description: "Me cambiaron de cargo a profesional de presupuesto y no puedo entrar al módulo de presupuesto; solo me aparece el de contabilidad.",
        priority: "medium",
    },
    TicketSample {
        service: "Actualización y soporte de aplicativos del área financiera",
        subject: "Predial no aplica el descuento por pronto pago",
        description: "El módulo de impuesto predial no está generando las facturas con el descuento por pronto pago que aprobó el Concejo. Hay contribuyentes esperando en la ventanilla y el plazo del descuento vence el 31.",
        priority: "critical",
    },
    TicketSample {
        service: "Actualización y soporte de aplicativos del área financiera",
        subject: "Certificado de firma vencido para aprobar pagos en SIIF",
        description: "Se venció el certificado de firma digital del token con el que apruebo los pagos en SIIF. ¿Cómo se renueva? Tengo pagos a proveedores pendientes de esta semana.",
        priority: "high",
    },
    // ── Administración y gestión de software ──
    TicketSample {
        service: "Administración y gestión de software",
        subject: "Instalar visor de planos",
        description: "Para revisar los planos de las licencias de construcción necesito que me instalen AutoCAD o algún visor de archivos DWG en el PC-0455.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración y gestión de software",
        subject: "Word dice producto sin licencia",
        description: "El Word me sale con una barra roja que dice “Producto sin licencia” y no me deja editar los documentos. AnyDesk 915 660 248.",
        priority: "high",
    },
    TicketSample {
        service: "Administración y gestión de software",
        subject: "Programa para firmar PDF",
        description: "¿Me pueden instalar un programa para firmar digitalmente los PDF de las resoluciones? En Hacienda ya lo tienen.",
        priority: "low",
    },
    TicketSample {
        service: "Administración y gestión de software",
        subject: "Actualizar Java para el portal de la DIAN",
        description: "El portal de la DIAN me pide actualizar Java para presentar la información exógena y no tengo permisos de administrador en el equipo. El plazo vence la otra semana.",
        priority: "medium",
    },
    // ── Concepto técnico para baja de software ──
    TicketSample {
        service: "Concepto técnico para baja de software",
        subject: "Baja del software contable anterior",
        description: "Desde la migración ya no usamos el programa contable anterior. Control Interno pide el concepto técnico para retirarlo del inventario de software y de los activos intangibles.",
        priority: "low",
    },
    TicketSample {
        service: "Concepto técnico para baja de software",
        subject: "Aplicativo de correspondencia antiguo sigue instalado",
        description: "El aplicativo de correspondencia viejo sigue instalado en 12 equipos. Necesitamos concepto técnico para darlo de baja y saber si hay que migrar algún dato antes.",
        priority: "low",
    },
    // ── Publicación de archivos en el sitio web ──
    TicketSample {
        service: "Publicación de archivos en el sitio web",
        subject: "Publicar decreto en Transparencia",
        description: "Favor publicar en la sección de Transparencia y acceso a la información pública el Decreto 045 de 2025 (adjunto en PDF). Debe quedar publicado hoy por términos.",
        priority: "high",
    },
    TicketSample {
        service: "Publicación de archivos en el sitio web",
        subject: "Actualizar directorio de funcionarios en la página",
        description: "El directorio de funcionarios de la página web todavía tiene a la secretaria de Salud anterior. Adjunto el directorio actualizado que nos envió Talento Humano.",
        priority: "low",
    },
    TicketSample {
        service: "Publicación de archivos en el sitio web",
        subject: "Convocatoria escuelas de formación deportiva",
        description: "Solicitamos publicar en la página web la convocatoria de las escuelas de formación deportiva. Adjunto la pieza gráfica y el enlace del formulario de inscripción; las inscripciones abren el lunes.",
        priority: "medium",
    },
    // ── Administración del antivirus ──
    TicketSample {
        service: "Administración del antivirus",
        subject: "Antivirus desactualizado",
        description: "Me aparece un aviso del antivirus diciendo que la base de firmas está desactualizada hace 20 días. PC-0377.",
        priority: "low",
    },
    TicketSample {
        service: "Administración del antivirus",
        subject: "El antivirus bloqueó una memoria USB",
        description: "Conecté la memoria de un ciudadano para recibir unos documentos y el antivirus sacó una alerta de amenaza y bloqueó la USB. ¿Es peligroso? No le di clic a nada. Equipo PC-0390, AnyDesk 604 118 932.",
        priority: "medium",
    },
    TicketSample {
        service: "Administración del antivirus",
        subject: "Instalar antivirus en portátil nuevo",
        description: "Nos entregaron el portátil PORT-0072 para la Secretaría de Gobierno y no tiene el antivirus institucional. Lo necesitamos para las jornadas de atención en los corregimientos.",
        priority: "medium",
    },
    // ── Incidente de seguridad de la información ──
    TicketSample {
        service: "Incidente de seguridad de la información",
        subject: "Puse mi contraseña en un correo falso",
        description: "Me llegó un correo que parecía de Office 365 pidiendo actualizar la contraseña, le di clic al enlace y puse mi clave. Después me di cuenta de que la dirección del remitente era rara. No sé qué hacer.",
        priority: "critical",
    },
    TicketSample {
        service: "Incidente de seguridad de la información",
        subject: "Archivos con extensión extraña y nota pidiendo pago",
        description: "Todos los archivos de la carpeta compartida de Hacienda tienen ahora una extensión rara (.locked) y apareció un archivo de texto en inglés pidiendo un pago. No he abierto nada más. Estoy en el PC-0421.",
        priority: "critical",
    },
    TicketSample {
        service: "Incidente de seguridad de la información",
        subject: "Robo de portátil institucional",
        description: "Anoche me robaron el portátil institucional PORT-0061 en el bus de regreso a la casa. Tenía información de contratos y el correo abierto en el navegador. Ya puse el denuncio en la Policía; adjunto copia.",
        priority: "high",
    },
    TicketSample {
        service: "Incidente de seguridad de la información",
        subject: "Correos enviados desde mi cuenta que yo no envié",
        description: "En mis enviados aparecen correos a personas que no conozco, mandados a las 3 de la mañana, con un enlace para “ver factura”. Yo no los envié.",
        priority: "critical",
    },
];

/// Public replies from an agent to a requester.
pub const AGENT_REPLIES: &[&str] = &[
    "Buenos días. Recibimos su solicitud y ya quedó asignada. En el transcurso de la mañana pasaré por su puesto; si no va a estar, por favor indíquenos en qué horario podemos atenderle.",
    "Cordial saludo. Para revisar de forma remota, ¿nos puede indicar el ID de AnyDesk que aparece al abrir el programa? Por favor deje el equipo encendido y sin bloquear.",
    "Ya estoy conectado a su equipo por acceso remoto. Por favor no mueva el mouse durante unos minutos mientras hago la revisión.",
    "Para avanzar necesitamos el número de inventario del equipo: es la etiqueta que dice PC- seguido de cuatro números, normalmente en la parte de atrás o debajo de la CPU. ¿Nos lo puede enviar?",
    "Le informamos que esta solicitud requiere la autorización del jefe de su dependencia. Por favor pídale que responda a este mensaje aprobándola.",
    "Hicimos una primera revisión y la falla parece estar en el disco duro. Vamos a llevar el equipo a la oficina de sistemas para un diagnóstico completo; mientras tanto le dejamos un equipo de préstamo.",
    "Su caso fue escalado al ingeniero de segundo nivel, quien lo revisará hoy mismo. Le mantendremos informado por este medio.",
    "Reportamos la falla al proveedor del servicio de internet con el radicado que nos asignaron. Su tiempo de respuesta es de 4 horas hábiles; le avisamos en cuanto tengamos novedades.",
    "¿Nos confirma si el error se presenta con todos los documentos o solo con uno en particular? Si puede, adjunte una captura de pantalla del mensaje.",
    "Le pedimos reiniciar el equipo (Inicio → Reiniciar, no solo apagar la pantalla) y volver a intentar. Si el problema continúa, responda este mensaje y pasamos a revisarlo en sitio.",
    "Ya se creó el usuario. La contraseña temporal se la entregaremos personalmente o por llamada a su extensión, nunca por correo. Al primer ingreso el sistema le pedirá cambiarla.",
    "Para cambiar la contraseña puede seguir la guía “Cambio de contraseña de usuario de dominio en el correo web”, publicada en la mesa de ayuda. Si tiene dificultades, con gusto le ayudamos por teléfono.",
    "La visita quedó programada para mañana a las 9:00 a. m. Por favor confirme si alguien de la oficina estará presente para abrirnos.",
    "Los permisos sobre esa carpeta dependen de la autorización del responsable de la información. Ya le escribimos a la jefe de la oficina y quedamos atentos a su respuesta.",
    "El equipo está cubierto por garantía hasta diciembre, así que vamos a tramitar la reclamación con el proveedor. Según sus tiempos, puede tardar entre 5 y 10 días hábiles.",
    "Aplicamos una corrección. ¿Nos confirma si ya le funciona? Si no recibimos respuesta en dos días hábiles, el caso se cerrará automáticamente.",
    "Por seguridad, le pedimos no apagar el equipo, desconectar el cable de red y no abrir más archivos hasta que llegue el ingeniero. Vamos en camino.",
    "Se realizó la publicación. Puede verificarla en la sección Transparencia y acceso a la información pública del sitio web; si encuentra algún error en el documento, avísenos y lo corregimos.",
    "Para la reunión dejaremos instalados el video beam, el portátil y el sonido 30 minutos antes. Le agradecemos tener la presentación en una memoria USB o en su correo.",
    "Confirmamos que la falla es general en el edificio y ya estamos trabajando en ella. No es necesario abrir casos adicionales; le avisaremos cuando se restablezca el servicio.",
    "Buenas tardes, soy el técnico asignado a su caso. Lo llamé a la extensión registrada pero no me contestaron. ¿En qué momento del día puedo comunicarme con usted?",
    "Este aplicativo lo soporta el proveedor del software. Ya abrimos el caso con ellos y nos asignaron número de ticket; en cuanto respondan le contamos.",
    "Su buzón estaba al 99 % de capacidad. Activamos el archivo en línea y movimos allí los correos de más de dos años; ya debería poder enviar con normalidad.",
    "Le recordamos que la contraseña es personal e intransferible. Si otra persona necesita acceder a su información, podemos darle permisos sobre la carpeta sin compartir la clave.",
];

/// Internal notes between agents: terse and technical.
pub const INTERNAL_NOTES: &[&str] = &[
    "Revisado en sitio. Disco con sectores reasignados, SMART en alerta. Se pide SSD de 480 GB a Almacén.",
    "Usuario no tiene AnyDesk instalado. Paso mañana a primera hora.",
    "Mismo síntoma que el caso de Hacienda de la semana pasada. Revisar DHCP del switch del 2.º piso; puede ser el pool agotado.",
    "Equipo fuera de garantía (compra 2018). Sugiero concepto técnico para baja.",
    "Escalo a nivel 2: requiere permisos de administrador en el AD.",
    "Ojo: la cuenta tiene un buzón compartido asociado. No deshabilitar hasta que Talento Humano confirme la entrega.",
    "Llamé al proveedor, ticket PRV-55812. ANS de 8 h hábiles. Hago seguimiento mañana.",
    "Reiniciado el servicio de cola de impresión en el servidor. Había 240 trabajos atascados.",
    "No reproducible. Dejo en observación dos días antes de proponer solución.",
    "Tóner original agotado en Almacén. Solicitud de pedido enviada a Contratación.",
    "Certificado SSL del portal vence el 15. Programar la renovación antes del cierre de vigencia.",
    "Logs del firewall: 3 conexiones salientes a una IP sospechosa desde PC-0390. Equipo aislado de la red.",
    "Requiere ventana de mantenimiento; coordinar con la líder de mesa para avisar a todas las dependencias.",
    "Reasigno a Paola: es del módulo de presupuesto y ella tiene la competencia.",
    "El usuario pide instalar software sin licencia. No procede; se le ofreció alternativa libre (LibreCAD).",
    "Batería de la UPS hinchada. No manipular en sitio; esperar la visita del proveedor.",
    "Pendiente aprobación del jefe de la dependencia. Sin eso no se crea el permiso.",
    "Hash del adjunto consultado en VirusTotal: 31/70 motores lo detectan. Remitente bloqueado en el antispam.",
    "Cable de red del puesto cortado por la silla. Se reemplazó el patch cord; falta certificar el punto.",
];

/// Follow-ups written by requesters.
pub const REQUESTER_REPLIES: &[&str] = &[
    "Gracias, ya me funciona perfecto.",
    "Buenas tardes, sigue saliendo el mismo error. Adjunto el pantallazo.",
    "El ID de AnyDesk es 512 887 340. Dejo el computador prendido.",
    "Mañana estoy en terreno toda la mañana, ¿pueden venir después de las 2?",
    "¿Hay alguna novedad? Ya van tres días y necesito el equipo para el informe al Concejo.",
    "Perfecto, quedo atenta.",
    "La etiqueta dice PC-0347.",
    "Mi jefe ya respondió el correo autorizando el acceso, por favor revisen.",
    "Ya reinicié como me dijeron pero no cambió nada.",
    "Muchas gracias por la atención tan rápida, muy amable el técnico.",
    "Disculpe, no pude contestar la llamada porque estaba atendiendo público. Ya estoy disponible.",
    "Funcionó un rato pero hoy volvió a fallar igual.",
    "No entiendo bien la guía, ¿me pueden llamar a la extensión 118?",
    "Confirmo que ya pude entrar al aplicativo. Pueden cerrar el caso.",
    "Es urgente, tenemos cierre de nómina mañana.",
    "Ya llevé el equipo a la oficina de sistemas, se lo dejé al ingeniero.",
    "No me ha llegado la contraseña temporal, ¿a quién se la entregaron?",
    "Todavía no he podido probar, les confirmo el lunes.",
];

/// Texts for the outcome "solved". By convention the first `SERVICES.len()`
/// entries follow the order of `SERVICES` (entry i fits service i), so a
/// generator may pick a matching text; the rest fit any service.
pub const RESOLUTIONS: &[&str] = &[
    // Atención a requerimientos de equipos de cómputo
    "Se revisó el equipo en sitio: se reemplazó el módulo de memoria RAM defectuoso y se reinstaló el controlador de video. El equipo enciende y funciona con normalidad; el usuario lo verificó.",
    // Mantenimiento preventivo de equipos de cómputo
    "Se realizó el mantenimiento preventivo: limpieza interna con aire comprimido, cambio de pasta térmica, revisión del estado del disco y actualizaciones del sistema operativo. Se diligenció la bitácora de mantenimiento.",
    // Concepto técnico para baja de equipos de cómputo
    "Se elaboró el concepto técnico: los equipos no son reparables a un costo razonable (tarjeta madre averiada y procesadores sin soporte). Se recomienda la baja y se envió el formato firmado a Almacén.",
    // Alistamiento de equipos para reuniones
    "Se instalaron y probaron el video beam, el portátil, la cámara y el sonido en el salón; se acompañó el inicio de la reunión y se recogieron los equipos al finalizar.",
    // Administración del directorio activo (AD)
    "Se movió la cuenta a la unidad organizativa de la nueva dependencia, se actualizaron los grupos de seguridad y se retiraron los permisos anteriores. El usuario inició sesión sin problema.",
    // Administración de usuarios
    "Se desbloqueó la cuenta de dominio y se asignó una contraseña temporal, entregada por llamada telefónica. El usuario la cambió en el primer inicio de sesión.",
    // Administración de correo electrónico institucional
    "Se liberó espacio en el buzón habilitando el archivo en línea y se configuró la directiva de retención. Se verificó el envío y la recepción de correos externos.",
    // Carpetas compartidas
    "Se otorgaron permisos de lectura y escritura sobre la carpeta compartida, con autorización de la jefe de la oficina, y se mapeó la unidad de red en el equipo del usuario.",
    // Copias de seguridad y restauración de información
    "Se restauró el archivo desde la copia de seguridad del viernes a las 11:00 p. m. y se dejó en la carpeta original con el sufijo “_restaurado”. El usuario confirmó que es la versión correcta.",
    // Administración de la infraestructura tecnológica
    "El switch del segundo piso estaba bloqueado por sobrecalentamiento. Se reinició, se reubicó para mejorar la ventilación y se verificó la conectividad en todos los puestos.",
    // Administración de telefonía IP
    "Se conectó el teléfono al punto de red correcto y se volvió a registrar la extensión en la central IP. Se hicieron llamadas de prueba internas y externas.",
    // Mantenimiento de redes y comunicaciones
    "Se ejecutó la actividad del plan de mantenimiento: organización del rack, marcación de cables, actualización de firmware de los switches y prueba de enlaces. Quedó registrada en la bitácora.",
    // Mantenimiento de UPS y aire acondicionado
    "El proveedor realizó el mantenimiento del aire acondicionado (limpieza de filtros y destape del drenaje). La temperatura del cuarto de servidores se estabilizó en 21 °C.",
    // Actualización y soporte de aplicativos de apoyo a la gestión
    "Se ajustó el tamaño máximo de anexos en la configuración del sistema de gestión documental y se validó una radicación de prueba con la ventanilla única.",
    // Actualización y soporte de aplicativos del área financiera
    "El proveedor del aplicativo financiero aplicó el parche de la versión y se reprocesó la liquidación. Tesorería validó los valores contra el reporte anterior.",
    // Administración y gestión de software
    "Se instaló el software solicitado con licencia institucional y se verificó su funcionamiento con el usuario. Se actualizó la hoja de vida del equipo.",
    // Concepto técnico para baja de software
    "Se emitió el concepto técnico para la baja del software: sin soporte del fabricante desde 2019 y sin datos pendientes de migrar. Se desinstaló de los equipos y se informó a Almacén y a Control Interno.",
    // Publicación de archivos en el sitio web
    "Se publicó el documento en la sección de Transparencia del sitio web y se envió el enlace al solicitante para su verificación.",
    // Administración del antivirus
    "Se actualizaron las firmas del antivirus desde la consola, se ejecutó un análisis completo del equipo sin amenazas activas y se eliminaron los archivos en cuarentena.",
    // Incidente de seguridad de la información
    "Se restableció la contraseña, se cerraron todas las sesiones activas, se activó la verificación en dos pasos y se bloqueó el dominio remitente. Se documentó el incidente según el procedimiento de seguridad de la información.",
    // Generic
    "Se atendió por acceso remoto: se corrigió la configuración y el usuario confirmó el funcionamiento.",
    "Se orientó al usuario por teléfono paso a paso y se le envió la guía de la mesa de ayuda para futuras consultas.",
    "La falla fue general y la ocasionó un corte del proveedor de internet; el servicio se restableció a las 11:40 a. m. y se verificó en la dependencia.",
    "Se entregó un equipo de préstamo mientras se tramita la reparación; se trasladó la información del usuario y se configuraron sus aplicaciones.",
    "Se realizó la configuración solicitada y se documentó en la base de conocimiento como lección aprendida.",
    "El usuario informó que el problema se solucionó al reiniciar el equipo. Se verificó por acceso remoto y se cierra sin otra intervención.",
];

/// Texts for the outcome "not solved" (seed 001: e.g. missing materials).
pub const NOT_SOLVED_RESOLUTIONS: &[&str] = &[
    "No se pudo solucionar: el equipo requiere cambio de tarjeta madre y no hay repuestos en Almacén. Se solicitó la compra en el plan anual de adquisiciones.",
    "El equipo está fuera de garantía y la reparación cuesta más que uno nuevo. Se emitió concepto técnico recomendando la baja.",
    "La funcionalidad solicitada no existe en la versión actual del aplicativo; requiere un desarrollo del proveedor que no está incluido en el contrato vigente.",
    "Se visitó la dependencia tres veces sin encontrar al usuario y pasaron ocho días hábiles sin disponibilidad. Se cierra según el procedimiento; puede abrir un nuevo caso cuando lo necesite.",
    "No procede: instalar software sin licencia va en contra de la política de seguridad de la información. Se ofreció una alternativa de software libre que el usuario no aceptó.",
    "La impresora no es de la entidad, pertenece al contrato de outsourcing de impresión; el caso debe gestionarse directamente con ese proveedor.",
    "No se cuenta con el cableado ni los materiales para el punto de red; queda incluido en la adecuación de la sede prevista para el próximo trimestre.",
];

/// Notes explaining why a ticket is on hold (vendor, warranty, requester,
/// authorisation).
pub const HOLD_NOTES: &[&str] = &[
    "En espera del proveedor: se reportó la falla del aplicativo financiero con el radicado PRV-2291; su ANS es de 16 horas hábiles.",
    "En espera de garantía: el portátil se envió al centro de servicio autorizado del fabricante. Tiempo estimado: 8 días hábiles.",
    "En espera del usuario: está de vacaciones hasta el 15. Se pactó nueva visita para el lunes 16 a las 8:00 a. m.",
    "En espera de autorización: el acceso a la carpeta de nómina debe aprobarlo la jefe de Talento Humano.",
    "En espera de autorización del líder de TI para la compra del disco de reemplazo.",
    "En espera del proveedor de internet: visita técnica programada para el jueves en la Casa de la Cultura.",
    "En espera del usuario: no fue posible contactarlo por teléfono ni en su puesto. Se le dejó mensaje para acordar una nueva fecha.",
    "En espera del proveedor: Almacén confirma que el tóner llega con el pedido de la próxima semana.",
    "En espera de garantía: el proveedor pidió fotos del serial y la factura de compra; se enviaron hoy por correo.",
    "En espera de autorización del coordinador de sistemas: la solicitud implica abrir un puerto en el firewall.",
];

#[cfg(test)]
mod tests {
    use super::*;

    const TICKET_TYPES: &[&str] = &["incident", "service_request", "maintenance", "security_incident"];
    const PRIORITIES: &[&str] = &["low", "medium", "high", "critical"];

    fn service_names() -> Vec<&'static str> {
        SERVICES.iter().map(|s| s.name).collect()
    }

    #[test]
    fn every_sample_names_a_service_of_the_catalog() {
        let names = service_names();
        for t in TICKET_SAMPLES {
            assert!(names.contains(&t.service), "unknown service in sample {:?}: {:?}", t.subject, t.service);
        }
    }

    #[test]
    fn every_service_has_at_least_one_sample() {
        for s in SERVICES {
            assert!(TICKET_SAMPLES.iter().any(|t| t.service == s.name), "no sample for service {:?}", s.name);
        }
    }

    #[test]
    fn service_names_are_unique() {
        let mut names = service_names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SERVICES.len());
    }

    #[test]
    fn every_service_and_agent_belongs_to_a_known_team() {
        for s in SERVICES {
            assert!(TEAMS.contains(&s.team), "service {:?} has unknown team {:?}", s.name, s.team);
        }
        for a in AGENTS {
            assert!(TEAMS.contains(&a.team), "agent {:?} has unknown team {:?}", a.name, a.team);
        }
    }

    #[test]
    fn ticket_types_priorities_and_levels_are_from_the_allowed_sets() {
        for s in SERVICES {
            assert!(TICKET_TYPES.contains(&s.ticket_type), "service {:?}: bad type {:?}", s.name, s.ticket_type);
            assert!((1..=3).contains(&s.level), "service {:?}: bad level {}", s.name, s.level);
        }
        for t in TICKET_SAMPLES {
            assert!(PRIORITIES.contains(&t.priority), "sample {:?}: bad priority {:?}", t.subject, t.priority);
        }
        for a in AGENTS {
            assert!((1..=3).contains(&a.level), "agent {:?}: bad level {}", a.name, a.level);
        }
    }

    #[test]
    fn catalog_has_maintenance_and_security_incident_services() {
        assert!(SERVICES.iter().any(|s| s.ticket_type == "maintenance"));
        assert!(SERVICES.iter().any(|s| s.ticket_type == "security_incident"));
    }

    #[test]
    fn agents_have_one_admin_every_level_and_institutional_emails() {
        assert_eq!(AGENTS.iter().filter(|a| a.admin).count(), 1);
        for level in 1..=3 {
            assert!(AGENTS.iter().any(|a| a.level == level), "no agent of level {level}");
        }
        let suffix = format!("@{INSTITUTION_DOMAIN}");
        for a in AGENTS {
            assert!(a.email.ends_with(&suffix), "agent {:?}: e-mail {:?}", a.name, a.email);
        }
        for team in TEAMS {
            assert!(AGENTS.iter().any(|a| a.team == *team), "no agent in team {team:?}");
        }
    }

    #[test]
    fn resolutions_cover_every_service_position() {
        assert!(RESOLUTIONS.len() >= SERVICES.len());
    }

    #[test]
    fn lists_have_the_expected_sizes() {
        assert!(INSTITUTION_DOMAIN.ends_with(".gov.co"));
        assert!((10..=14).contains(&DEPARTMENTS.len()));
        assert!((5..=7).contains(&BUILDINGS.len()));
        assert!((3..=4).contains(&TEAMS.len()));
        assert!((18..=22).contains(&SERVICES.len()));
        assert!((6..=8).contains(&AGENTS.len()));
        assert!(FIRST_NAMES.len() >= 25 && LAST_NAMES.len() >= 25);
        assert!((60..=80).contains(&TICKET_SAMPLES.len()));
        assert!(AGENT_REPLIES.len() >= 20);
        assert!(INTERNAL_NOTES.len() >= 15);
        assert!(REQUESTER_REPLIES.len() >= 15);
        assert!(RESOLUTIONS.len() >= 20);
        assert!(NOT_SOLVED_RESOLUTIONS.len() >= 5);
        assert!(HOLD_NOTES.len() >= 8);
    }

    #[test]
    fn no_text_is_empty_or_padded() {
        let texts = TICKET_SAMPLES
            .iter()
            .flat_map(|t| [t.subject, t.description])
            .chain(AGENT_REPLIES.iter().copied())
            .chain(INTERNAL_NOTES.iter().copied())
            .chain(REQUESTER_REPLIES.iter().copied())
            .chain(RESOLUTIONS.iter().copied())
            .chain(NOT_SOLVED_RESOLUTIONS.iter().copied())
            .chain(HOLD_NOTES.iter().copied());
        for text in texts {
            assert!(!text.is_empty() && text.trim() == text, "bad text: {text:?}");
        }
    }
}
