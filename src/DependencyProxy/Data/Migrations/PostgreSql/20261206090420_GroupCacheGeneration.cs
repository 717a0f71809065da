using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DependencyProxy.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class GroupCacheGeneration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CacheGeneration",
                table: "Groups",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Whatever takes an entry away from a group (a purge, TTL cleanup, eviction, deleting an image, on any node)
            // bumps the group's generation in the same transaction, so no code path can forget it (issue 15).
            migrationBuilder.Sql("""
                CREATE FUNCTION "BumpGroupCacheGeneration"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "Groups" SET "CacheGeneration" = "CacheGeneration" + 1 WHERE "Id" = OLD."GroupId";
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "CachedManifestRemoved" AFTER DELETE ON "CachedManifests"
                FOR EACH ROW EXECUTE FUNCTION "BumpGroupCacheGeneration"();
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "CachedManifestStatusChanged" AFTER UPDATE OF "Status" ON "CachedManifests"
                FOR EACH ROW WHEN (OLD."Status" IS DISTINCT FROM NEW."Status") EXECUTE FUNCTION "BumpGroupCacheGeneration"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "CachedManifestRemoved" ON "CachedManifests";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "CachedManifestStatusChanged" ON "CachedManifests";""");
            migrationBuilder.Sql("""DROP FUNCTION IF EXISTS "BumpGroupCacheGeneration"();""");
            migrationBuilder.DropColumn(
                name: "CacheGeneration",
                table: "Groups");
        }
    }
}
