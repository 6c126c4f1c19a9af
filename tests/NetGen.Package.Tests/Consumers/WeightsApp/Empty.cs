namespace WeightsApp;

/// <summary>Nothing to run: the test reads what the build wrote under obj/.</summary>
public static class Empty;
