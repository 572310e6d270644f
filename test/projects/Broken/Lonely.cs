public class Lonely { public static object Make() => new Lonely(); }
